//! Chat prompt rendering.
//!
//! A model's own Jinja template (`tokenizer.chat_template`) is the ground truth for its prompt
//! format, so it is rendered with a real Jinja engine (minijinja, with Python-compatible string
//! methods such as `split`, which R1's template uses). Files without a template get a built-in
//! one chosen by architecture. R1 distills get DeepSeek's usage advice applied on top: no
//! system prompt (its text is folded into the first user turn) and a generation prompt that
//! opens the reasoning block with `<think>\n`.

use serde::Serialize;

/// One turn of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ChatMessage {
    /// `system`, `user` or `assistant`.
    pub role: String,
    /// The text of the turn. Assistant turns may include their `<think>` block; templates that
    /// know reasoning (R1's) strip it.
    pub content: String,
}

impl ChatMessage {
    /// A message with the given role.
    pub fn new(role: impl Into<String>, content: impl Into<String>) -> Self {
        Self {
            role: role.into(),
            content: content.into(),
        }
    }
    /// A user turn.
    pub fn user(content: impl Into<String>) -> Self {
        Self::new("user", content)
    }
    /// A system message.
    pub fn system(content: impl Into<String>) -> Self {
        Self::new("system", content)
    }
    /// An assistant turn.
    pub fn assistant(content: impl Into<String>) -> Self {
        Self::new("assistant", content)
    }
}

/// The prompt family a model belongs to, which decides the defaults Warden applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelFamily {
    /// A DeepSeek-R1 distill (Qwen or Llama based): reasoning in `<think>`.
    DeepseekR1,
    /// Google Gemma.
    Gemma,
    /// Meta Llama 3.
    Llama3,
    /// Anything else (ChatML fallback when there is no template).
    Other,
}

impl ModelFamily {
    /// Classifies a model from its architecture, name and chat template.
    pub fn detect(architecture: Option<&str>, name: Option<&str>, template: Option<&str>) -> Self {
        let name = name.unwrap_or_default().to_ascii_lowercase();
        let template = template.unwrap_or_default();
        if template.contains("<｜Assistant｜>")
            || name.contains("deepseek-r1")
            || name.contains("r1-distill")
        {
            return Self::DeepseekR1;
        }
        match architecture.unwrap_or_default() {
            a if a.starts_with("gemma") => Self::Gemma,
            "llama" if template.contains("<|start_header_id|>") || template.is_empty() => {
                Self::Llama3
            }
            _ => Self::Other,
        }
    }
    /// Whether the model reasons inside `<think>…</think>` before answering.
    pub fn reasons(self) -> bool {
        matches!(self, Self::DeepseekR1)
    }
}

/// Where the template came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TemplateSource {
    /// The GGUF's own `tokenizer.chat_template`.
    Model,
    /// A built-in template for the architecture, because the file has none.
    Builtin(&'static str),
}

impl std::fmt::Display for TemplateSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Model => f.write_str("the model's own"),
            Self::Builtin(name) => write!(f, "built-in {name}"),
        }
    }
}

/// A chat template ready to render.
#[derive(Debug, Clone)]
pub struct ChatTemplate {
    source: TemplateSource,
    text: String,
    family: ModelFamily,
    bos_token: String,
    eos_token: String,
}

/// The result of rendering a conversation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RenderedPrompt {
    /// The prompt text, special tokens spelled out (tokenize with special parsing on).
    pub text: String,
    /// Whether the text already contains the BOS token, so tokenization must not add another.
    pub has_bos: bool,
    /// Whether the prompt ends inside an open `<think>` block (R1's generation prompt).
    pub opens_reasoning: bool,
}

/// A template that could not be compiled or rendered.
#[derive(Debug, thiserror::Error)]
#[error("chat template error: {0}")]
pub struct TemplateError(pub String);

impl From<minijinja::Error> for TemplateError {
    fn from(e: minijinja::Error) -> Self {
        Self(format!("{e:#}"))
    }
}

const GEMMA: &str = include_str!("templates/gemma.jinja");
const CHATML: &str = include_str!("templates/chatml.jinja");
const LLAMA3: &str = include_str!("templates/llama3.jinja");
const DEEPSEEK_R1: &str = include_str!("templates/deepseek-r1.jinja");

/// The built-in template for a family: used when a GGUF carries none.
pub fn builtin_template(family: ModelFamily) -> (&'static str, &'static str) {
    match family {
        ModelFamily::DeepseekR1 => ("deepseek-r1", DEEPSEEK_R1),
        ModelFamily::Gemma => ("gemma", GEMMA),
        ModelFamily::Llama3 => ("llama3", LLAMA3),
        ModelFamily::Other => ("chatml", CHATML),
    }
}

impl ChatTemplate {
    /// The model's own template when it has one, else the built-in one for its family.
    pub fn for_model(
        family: ModelFamily,
        model_template: Option<&str>,
        bos_token: &str,
        eos_token: &str,
    ) -> Self {
        let (source, text) = match model_template.filter(|t| !t.trim().is_empty()) {
            Some(t) => (TemplateSource::Model, t.to_owned()),
            None => {
                let (name, text) = builtin_template(family);
                (TemplateSource::Builtin(name), text.to_owned())
            }
        };
        Self {
            source,
            text,
            family,
            bos_token: bos_token.to_owned(),
            eos_token: eos_token.to_owned(),
        }
    }

    /// Where the template came from.
    pub fn source(&self) -> TemplateSource {
        self.source
    }

    /// The model family the template was chosen for.
    pub fn family(&self) -> ModelFamily {
        self.family
    }

    /// Renders `messages` with the generation prompt appended.
    pub fn render(&self, messages: &[ChatMessage]) -> Result<RenderedPrompt, TemplateError> {
        let messages = if self.family == ModelFamily::DeepseekR1 {
            fold_system_into_user(messages)
        } else {
            messages.to_vec()
        };
        let mut env = minijinja::Environment::new();
        minijinja_contrib::add_to_environment(&mut env);
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_function(
            "raise_exception",
            |msg: String| -> Result<String, minijinja::Error> {
                Err(minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    msg,
                ))
            },
        );
        env.add_function("strftime_now", |_fmt: String| -> String {
            // Templates use it to print today's date; a fixed format keeps prompts reproducible
            // within a day and needs no time-zone database.
            let days = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() / 86_400)
                .unwrap_or(0);
            let (y, m, d) = civil_from_days(days as i64);
            format!("{y:04}-{m:02}-{d:02}")
        });
        env.add_template("chat", &self.text)?;
        let tmpl = env.get_template("chat")?;
        let mut text = tmpl.render(minijinja::context! {
            messages => messages,
            add_generation_prompt => true,
            bos_token => self.bos_token,
            eos_token => self.eos_token,
        })?;
        if self.family.reasons() && !text.trim_end().ends_with("<think>") {
            // DeepSeek: force the output to start with "<think>\n", or the model may skip
            // thinking. Older R1 templates stop at "<｜Assistant｜>".
            text.push_str("<think>\n");
        }
        let opens_reasoning = text.trim_end().ends_with("<think>");
        Ok(RenderedPrompt {
            has_bos: !self.bos_token.is_empty() && text.starts_with(&self.bos_token),
            text,
            opens_reasoning,
        })
    }
}

/// DeepSeek advise no system prompt for R1: all instructions go in the user turn.
fn fold_system_into_user(messages: &[ChatMessage]) -> Vec<ChatMessage> {
    let system: Vec<&str> = messages
        .iter()
        .filter(|m| m.role == "system")
        .map(|m| m.content.as_str())
        .collect();
    let mut out: Vec<ChatMessage> = messages
        .iter()
        .filter(|m| m.role != "system")
        .cloned()
        .collect();
    if !system.is_empty() {
        let prefix = system.join("\n\n");
        match out.iter_mut().find(|m| m.role == "user") {
            Some(first) => first.content = format!("{prefix}\n\n{}", first.content),
            None => out.insert(0, ChatMessage::user(prefix)),
        }
    }
    out
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    const R1_BOS: &str = "<｜begin▁of▁sentence｜>";

    fn r1() -> ChatTemplate {
        ChatTemplate::for_model(
            ModelFamily::DeepseekR1,
            Some(DEEPSEEK_R1),
            R1_BOS,
            "<｜end▁of▁sentence｜>",
        )
    }

    #[test]
    fn r1_renders_the_exact_deepseek_format() {
        let p = r1().render(&[ChatMessage::user("What is 2+2?")]).unwrap();
        assert_eq!(
            p.text,
            "<｜begin▁of▁sentence｜><｜User｜>What is 2+2?<｜Assistant｜><think>\n"
        );
        assert!(p.has_bos);
        assert!(p.opens_reasoning);
    }

    #[test]
    fn r1_folds_the_system_prompt_into_the_user_turn() {
        let p = r1()
            .render(&[
                ChatMessage::system("Answer in French."),
                ChatMessage::user("Hi"),
            ])
            .unwrap();
        assert_eq!(
            p.text,
            "<｜begin▁of▁sentence｜><｜User｜>Answer in French.\n\nHi<｜Assistant｜><think>\n"
        );
    }

    #[test]
    fn r1_strips_reasoning_from_earlier_assistant_turns() {
        let p = r1()
            .render(&[
                ChatMessage::user("a"),
                ChatMessage::assistant("<think>\nhmm\n</think>\n\nB"),
                ChatMessage::user("c"),
            ])
            .unwrap();
        assert_eq!(
            p.text,
            "<｜begin▁of▁sentence｜><｜User｜>a<｜Assistant｜>\n\nB<｜end▁of▁sentence｜><｜User｜>c<｜Assistant｜><think>\n"
        );
    }

    #[test]
    fn an_r1_template_without_think_gets_it_forced() {
        let old = "{{ bos_token }}{% for m in messages %}{{ '<｜User｜>' + m['content'] }}{% endfor %}{{ '<｜Assistant｜>' }}";
        let t = ChatTemplate::for_model(ModelFamily::DeepseekR1, Some(old), R1_BOS, "");
        let p = t.render(&[ChatMessage::user("x")]).unwrap();
        assert!(p.text.ends_with("<｜Assistant｜><think>\n"));
    }

    #[test]
    fn gemma_fallback_matches_the_gemma_format() {
        let t = ChatTemplate::for_model(ModelFamily::Gemma, None, "<bos>", "<eos>");
        assert_eq!(t.source(), TemplateSource::Builtin("gemma"));
        let p = t
            .render(&[ChatMessage::system("Be brief."), ChatMessage::user("Hello")])
            .unwrap();
        assert_eq!(
            p.text,
            "<bos><start_of_turn>user\nBe brief.\n\nHello<end_of_turn>\n<start_of_turn>model\n"
        );
        assert!(p.has_bos);
        assert!(!p.opens_reasoning);
    }

    #[test]
    fn chatml_fallback_has_no_bos() {
        let t = ChatTemplate::for_model(ModelFamily::Other, None, "<s>", "</s>");
        let p = t.render(&[ChatMessage::user("Hi")]).unwrap();
        assert_eq!(
            p.text,
            "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
        );
        assert!(!p.has_bos);
    }

    #[test]
    fn a_broken_template_is_an_error_not_a_panic() {
        let t = ChatTemplate::for_model(ModelFamily::Other, Some("{% for %}"), "", "");
        assert!(t.render(&[ChatMessage::user("x")]).is_err());
        let t = ChatTemplate::for_model(
            ModelFamily::Other,
            Some("{{ raise_exception('roles must alternate') }}"),
            "",
            "",
        );
        let e = t.render(&[ChatMessage::user("x")]).unwrap_err();
        assert!(e.0.contains("roles must alternate"), "{e}");
    }

    #[test]
    fn families_are_detected_from_metadata() {
        assert_eq!(
            ModelFamily::detect(Some("qwen2"), Some("DeepSeek-R1-Distill-Qwen-1.5B"), None),
            ModelFamily::DeepseekR1
        );
        assert_eq!(
            ModelFamily::detect(Some("llama"), None, Some(DEEPSEEK_R1)),
            ModelFamily::DeepseekR1
        );
        assert_eq!(
            ModelFamily::detect(Some("gemma3"), None, None),
            ModelFamily::Gemma
        );
        assert_eq!(
            ModelFamily::detect(Some("qwen2"), None, None),
            ModelFamily::Other
        );
    }

    #[test]
    fn civil_dates_are_right() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_420), (2025, 11, 28));
    }
}
