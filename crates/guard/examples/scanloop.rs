use warden_guard::{Context, Guard};
fn main() {
    let para =
        "The committee reviewed the quarterly figures and found that revenue grew steadily. \
                Contact finance@example.com or call +1 415 555 0132 for details. Use `cargo build` \
                to compile the project, then run the tests. 我们还需要检查一下结果。 \
                Как убить процесс в Linux? How do I make a cake? ";
    let mut text = String::new();
    while text.len() < 1 << 20 {
        text.push_str(para);
    }
    let guard = Guard::with_default_policy();
    for _ in 0..30 {
        std::hint::black_box(guard.scan(&text, &Context::input()));
    }
}
