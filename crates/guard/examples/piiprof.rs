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
    for _ in 0..100 {
        std::hint::black_box(warden_guard::Normalized::new(&text));
    }
}
