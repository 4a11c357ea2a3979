//! Settings, resolved in one place: built-in defaults, then the config file, then the
//! environment. Every shell (CLI, desktop, tests) gets the same answer from [`Settings::resolve`].

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use warden_engine::{LoadParams, SamplingParams};

/// File name of the default model.
pub const DEFAULT_MODEL_FILE: &str = "gemma-3-270m-q4_k_m.gguf";

/// A settings file or variable that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// The config file exists but cannot be read.
    #[error("cannot read settings file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The config file is not valid TOML for Warden's settings.
    #[error("settings file {path} is malformed: {message}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        message: String,
    },
    /// An environment variable has a value of the wrong kind.
    #[error("environment variable {name}={value:?} is invalid: {message}")]
    BadEnv {
        /// Variable name.
        name: &'static str,
        /// Its value.
        value: String,
        /// What was expected.
        message: String,
    },
    /// A value the Settings screen cannot save, or a file it cannot update.
    #[error("{message}")]
    Invalid {
        /// What is wrong.
        message: String,
    },
    /// A load option no model can be loaded with.
    #[error("{name} {value} is out of range: {message}")]
    BadLoadOption {
        /// The option.
        name: &'static str,
        /// Its value.
        value: i64,
        /// The allowed range.
        message: &'static str,
    },
}

/// How to load a model, chosen per load (the desktop's Models screen); `None` keeps the
/// setting. Applied values stay for later loads in the same session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadOptions {
    /// Layers to offload to the GPU (0: CPU only).
    pub gpu_layers: Option<u32>,
    /// Threads (0: all cores).
    pub threads: Option<i32>,
    /// Context window in tokens (0: the model's, capped).
    pub context: Option<u32>,
}

impl ModelSettings {
    /// Applies `o`; a value out of range changes nothing and says which.
    pub fn apply(&mut self, o: &LoadOptions) -> Result<(), SettingsError> {
        let bad = |name, value: i64, message| SettingsError::BadLoadOption {
            name,
            value,
            message,
        };
        if let Some(n) = o.gpu_layers {
            if n > 1_000 {
                return Err(bad(
                    "GPU layers",
                    n.into(),
                    "0 to 1000 (more than any model has offloads all)",
                ));
            }
        }
        if let Some(t) = o.threads {
            if !(0..=512).contains(&t) {
                return Err(bad("threads", t.into(), "0 (all cores) to 512"));
            }
        }
        if let Some(c) = o.context {
            if c != 0 && !(256..=1 << 20).contains(&c) {
                return Err(bad(
                    "context",
                    c.into(),
                    "0 (the model's) or 256 to 1048576 tokens",
                ));
            }
        }
        self.gpu_layers = o.gpu_layers.unwrap_or(self.gpu_layers);
        self.threads = o.threads.unwrap_or(self.threads);
        self.context = o.context.unwrap_or(self.context);
        Ok(())
    }
}

/// Model loading settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelSettings {
    /// The GGUF to load; `None` means the default model in `models_dir`.
    pub path: Option<PathBuf>,
    /// Layers to offload to the GPU.
    pub gpu_layers: u32,
    /// Context window (0 = model's, capped).
    pub context: u32,
    /// Threads (0 = all cores).
    pub threads: i32,
    /// Prompt batch size.
    pub batch: u32,
}

impl Default for ModelSettings {
    fn default() -> Self {
        let d = LoadParams::default();
        Self {
            path: None,
            gpu_layers: d.n_gpu_layers,
            context: d.n_ctx,
            threads: d.n_threads,
            batch: d.n_batch,
        }
    }
}

/// Sampling overrides on top of the model's preset (unset fields keep the preset).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SamplingOverrides {
    /// Temperature.
    pub temperature: Option<f32>,
    /// Top-p.
    pub top_p: Option<f32>,
    /// Top-k.
    pub top_k: Option<i32>,
    /// Min-p.
    pub min_p: Option<f32>,
    /// Repeat penalty.
    pub repeat_penalty: Option<f32>,
    /// Seed.
    pub seed: Option<u32>,
    /// Max tokens.
    pub max_tokens: Option<u32>,
    /// Generate past end-of-sequence tokens.
    pub ignore_eog: Option<bool>,
}

impl SamplingOverrides {
    /// Applies the overrides to a preset.
    pub fn apply(&self, mut p: SamplingParams) -> SamplingParams {
        if let Some(v) = self.temperature {
            p.temperature = v;
        }
        if let Some(v) = self.top_p {
            p.top_p = v;
        }
        if let Some(v) = self.top_k {
            p.top_k = v;
        }
        if let Some(v) = self.min_p {
            p.min_p = v;
        }
        if let Some(v) = self.repeat_penalty {
            p.repeat_penalty = v;
        }
        if let Some(v) = self.seed {
            p.seed = Some(v);
        }
        if let Some(v) = self.max_tokens {
            p.max_tokens = v;
        }
        if let Some(v) = self.ignore_eog {
            p.ignore_eog = v;
        }
        p
    }
}

/// The ML classifier: it reads every prompt, and the model's reasoning and answer beyond its
/// refusals, warnings and offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClassifierSettings {
    /// Run it (default on). When on but its weights are missing, the policy's
    /// fail mode for optional scanners decides (open: skip it, closed: block).
    pub enabled: bool,
    /// Where `scripts/fetch-classifier.sh` put the weights; `None` means `$WARDEN_MINILM_DIR`,
    /// else `<models_dir>/minilm`.
    pub dir: Option<PathBuf>,
}

impl Default for ClassifierSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            dir: None,
        }
    }
}

/// Audit log retention and privacy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditSettings {
    /// Store the prompt with personal data replaced by placeholders when the input guard
    /// redacted it (the default stores the prompt as the user typed it).
    pub store_redacted: bool,
    /// Days to keep finalized generations; `warden audit prune` without `--older-than` uses it.
    pub retention_days: Option<u32>,
}

/// Everything configurable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Where Warden keeps its database and config.
    pub data_dir: PathBuf,
    /// Where GGUF models live.
    pub models_dir: PathBuf,
    /// The audit database.
    pub db_path: Option<PathBuf>,
    /// Pin the output language (ISO 639-1, e.g. `en`); adds an explicit instruction.
    pub language: Option<String>,
    /// Zero-shot structured prompt style (`plain`, `step-by-step`, `json`, `markdown`).
    pub style: crate::style::PromptStyle,
    /// A guard policy file (TOML) replacing the built-in policy.
    pub policy_path: Option<PathBuf>,
    /// A Llama Guard–format GGUF to run as an extra guard; `None` looks in `models_dir` for a
    /// file whose name mentions "guard".
    pub guard_model: Option<PathBuf>,
    /// The ML classifier (all-MiniLM-L6-v2 + a trained head), on prompts and the model's words.
    pub classifier: ClassifierSettings,
    /// Audit log retention and privacy.
    pub audit: AuditSettings,
    /// Model loading.
    pub model: ModelSettings,
    /// Sampling overrides.
    pub sampling: SamplingOverrides,
}

impl Default for Settings {
    fn default() -> Self {
        let data_dir = dirs::data_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join("warden");
        // Run from a checkout, the project's own models/ folder is the natural place.
        let models_dir = if Path::new("models").is_dir() {
            PathBuf::from("models")
        } else {
            data_dir.join("models")
        };
        Self {
            data_dir,
            models_dir,
            db_path: None,
            language: None,
            style: crate::style::PromptStyle::default(),
            policy_path: None,
            guard_model: None,
            classifier: ClassifierSettings::default(),
            audit: AuditSettings::default(),
            model: ModelSettings::default(),
            sampling: SamplingOverrides::default(),
        }
    }
}

/// Where the settings came from, for `warden settings` and error messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingsSource {
    /// The config file read, if any.
    pub file: Option<PathBuf>,
}

/// `$WARDEN_CONFIG`, when set.
fn explicit_config_file() -> Option<PathBuf> {
    std::env::var_os("WARDEN_CONFIG")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// `<config dir>/warden/config.toml`.
fn default_config_file() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("warden").join("config.toml"))
}

/// The config file Warden reads and the Settings screen writes: `$WARDEN_CONFIG`, else
/// `<config dir>/warden/config.toml` (which need not exist yet).
pub fn config_file() -> Option<PathBuf> {
    explicit_config_file().or_else(default_config_file)
}

/// Whether `code` can pin the answer language: empty (no pin) or two or three lowercase
/// letters (ISO 639, such as `fr`).
pub fn is_language_code(code: &str) -> bool {
    code.is_empty() || (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase())
}

impl Settings {
    /// Defaults → config file (`$WARDEN_CONFIG`, else `<config dir>/warden/config.toml` if it
    /// exists) → environment (`WARDEN_DATA_DIR`, `WARDEN_MODELS_DIR`, `WARDEN_DB`,
    /// `WARDEN_MODEL`, `WARDEN_THREADS`, `WARDEN_CONTEXT`, `WARDEN_GPU_LAYERS`, `WARDEN_LANGUAGE`,
    /// `WARDEN_STYLE`,
    /// `WARDEN_GUARD_MODEL`, `WARDEN_POLICY`, `WARDEN_CLASSIFIER` (on/off), `WARDEN_MINILM_DIR`).
    pub fn resolve() -> Result<(Self, SettingsSource), SettingsError> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        // `$WARDEN_CONFIG` is read even if missing (an error says so); the default only if there.
        let file = explicit_config_file().or_else(|| default_config_file().filter(|p| p.is_file()));
        let mut s = match &file {
            Some(path) => Self::from_file(path)?,
            None => Self::default(),
        };
        s.apply_env(env)?;
        Ok((s, SettingsSource { file }))
    }

    /// Reads a config file over the defaults.
    pub fn from_file(path: &Path) -> Result<Self, SettingsError> {
        let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_toml(&text).map_err(|message| SettingsError::Malformed {
            path: path.to_owned(),
            message,
        })
    }

    /// Parses TOML over the defaults.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim().to_owned())
    }

    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), SettingsError> {
        fn num<T: std::str::FromStr>(name: &'static str, v: String) -> Result<T, SettingsError> {
            v.trim().parse().map_err(|_| SettingsError::BadEnv {
                name,
                value: v,
                message: "expected a whole number".into(),
            })
        }
        if let Some(v) = env("WARDEN_DATA_DIR") {
            self.data_dir = v.into();
        }
        if let Some(v) = env("WARDEN_MODELS_DIR") {
            self.models_dir = v.into();
        }
        if let Some(v) = env("WARDEN_DB") {
            self.db_path = Some(v.into());
        }
        if let Some(v) = env("WARDEN_MODEL") {
            self.model.path = Some(v.into());
        }
        if let Some(v) = env("WARDEN_GUARD_MODEL") {
            self.guard_model = Some(v.into());
        }
        if let Some(v) = env("WARDEN_MINILM_DIR") {
            self.classifier.dir = Some(v.into());
        }
        if let Some(v) = env("WARDEN_CLASSIFIER") {
            self.classifier.enabled = match v.as_str() {
                "1" | "on" | "true" => true,
                "0" | "off" | "false" => false,
                _ => {
                    return Err(SettingsError::BadEnv {
                        name: "WARDEN_CLASSIFIER",
                        value: v,
                        message: "expected on or off (1/0)".into(),
                    })
                }
            };
        }
        if let Some(v) = env("WARDEN_POLICY") {
            self.policy_path = Some(v.into());
        }
        if let Some(v) = env("WARDEN_LANGUAGE") {
            self.language = Some(v);
        }
        if let Some(v) = env("WARDEN_STYLE") {
            self.style =
                v.parse()
                    .map_err(|e: crate::style::UnknownStyle| SettingsError::BadEnv {
                        name: "WARDEN_STYLE",
                        value: v,
                        message: e.to_string(),
                    })?;
        }
        if let Some(v) = env("WARDEN_THREADS") {
            self.model.threads = num("WARDEN_THREADS", v)?;
        }
        if let Some(v) = env("WARDEN_CONTEXT") {
            self.model.context = num("WARDEN_CONTEXT", v)?;
        }
        if let Some(v) = env("WARDEN_GPU_LAYERS") {
            self.model.gpu_layers = num("WARDEN_GPU_LAYERS", v)?;
        }
        Ok(())
    }

    /// The model to load: the configured one, else the default model.
    pub fn model_path(&self) -> PathBuf {
        self.model
            .path
            .clone()
            .unwrap_or_else(|| self.models_dir.join(DEFAULT_MODEL_FILE))
    }

    /// Where the classifier's weights are looked for.
    pub fn classifier_dir(&self) -> PathBuf {
        self.classifier
            .dir
            .clone()
            .unwrap_or_else(|| self.models_dir.join("minilm"))
    }

    /// The audit database path.
    pub fn db_path(&self) -> PathBuf {
        self.db_path
            .clone()
            .unwrap_or_else(|| self.data_dir.join("audit.sqlite3"))
    }

    /// Load parameters for the engine.
    pub fn load_params(&self, path: &Path) -> LoadParams {
        LoadParams {
            path: path.to_string_lossy().into_owned(),
            n_gpu_layers: self.model.gpu_layers,
            n_ctx: self.model.context,
            n_threads: self.model.threads,
            n_batch: self.model.batch,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_options_apply_in_range_and_change_nothing_out_of_it() {
        let mut m = ModelSettings::default();
        m.apply(&LoadOptions {
            gpu_layers: Some(12),
            threads: Some(2),
            context: Some(512),
        })
        .unwrap();
        assert_eq!((m.gpu_layers, m.threads, m.context), (12, 2, 512));
        m.apply(&LoadOptions::default()).unwrap();
        assert_eq!((m.gpu_layers, m.threads, m.context), (12, 2, 512));
        for bad in [
            LoadOptions {
                threads: Some(-1),
                ..LoadOptions::default()
            },
            LoadOptions {
                context: Some(100),
                ..LoadOptions::default()
            },
            LoadOptions {
                gpu_layers: Some(5_000),
                ..LoadOptions::default()
            },
            // One bad value refuses the whole set: nothing half-applied.
            LoadOptions {
                threads: Some(4),
                context: Some(7),
                ..LoadOptions::default()
            },
        ] {
            let e = m.apply(&bad).unwrap_err();
            assert!(matches!(e, SettingsError::BadLoadOption { .. }), "{e}");
            assert_eq!((m.gpu_layers, m.threads, m.context), (12, 2, 512));
        }
        assert_eq!(
            m.apply(&LoadOptions {
                context: Some(100),
                ..LoadOptions::default()
            })
            .unwrap_err()
            .to_string(),
            "context 100 is out of range: 0 (the model's) or 256 to 1048576 tokens"
        );
        m.apply(&LoadOptions {
            context: Some(0),
            ..LoadOptions::default()
        })
        .unwrap();
        assert_eq!(m.context, 0);
    }

    #[test]
    fn an_empty_file_gives_the_defaults() {
        assert_eq!(Settings::from_toml("").unwrap(), Settings::default());
    }

    #[test]
    fn file_values_override_defaults() {
        let s = Settings::from_toml(
            "language = \"fr\"\n[model]\nthreads = 3\n[sampling]\ntemperature = 0.2\n",
        )
        .unwrap();
        assert_eq!(s.language.as_deref(), Some("fr"));
        assert_eq!(s.model.threads, 3);
        assert_eq!(s.sampling.temperature, Some(0.2));
        assert_eq!(s.model.context, ModelSettings::default().context);
    }

    #[test]
    fn malformed_settings_name_the_problem() {
        let e = Settings::from_toml("[model]\nthreads = \"many\"\n").unwrap_err();
        assert!(e.contains("threads") || e.contains("line 2"), "{e}");
        let e = Settings::from_toml("colour = 1\n").unwrap_err();
        assert!(e.contains("colour"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "[[[").unwrap();
        let e = Settings::from_file(&p).unwrap_err();
        assert!(e.to_string().contains("c.toml"), "{e}");
    }

    #[test]
    fn environment_beats_file_and_bad_numbers_are_errors() {
        let mut s = Settings::default();
        s.apply_env(|k| (k == "WARDEN_THREADS").then(|| "7".to_owned()))
            .unwrap();
        assert_eq!(s.model.threads, 7);
        let e = s
            .apply_env(|k| (k == "WARDEN_CONTEXT").then(|| "big".to_owned()))
            .unwrap_err();
        assert!(e.to_string().contains("WARDEN_CONTEXT"));
    }

    #[test]
    fn the_prompt_style_comes_from_file_or_environment() {
        use crate::style::PromptStyle;
        assert_eq!(Settings::default().style, PromptStyle::Plain);
        let mut s = Settings::from_toml("style = \"json\"").unwrap();
        assert_eq!(s.style, PromptStyle::Json);
        assert!(Settings::from_toml("style = \"few-shot\"").is_err());
        s.apply_env(|k| (k == "WARDEN_STYLE").then(|| "step-by-step".to_owned()))
            .unwrap();
        assert_eq!(s.style, PromptStyle::StepByStep);
        let e = s
            .apply_env(|k| (k == "WARDEN_STYLE").then(|| "shouty".to_owned()))
            .unwrap_err();
        assert!(e.to_string().contains("WARDEN_STYLE"), "{e}");
    }
}
