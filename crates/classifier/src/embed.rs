//! all-MiniLM-L6-v2 sentence embeddings, in-process with candle.

use crate::encoder::{Config, Encoder, Precision};
use crate::ClassifierError;
use std::path::{Path, PathBuf};
use tokenizers::Tokenizer;

/// Tokens per window, `[CLS]` and `[SEP]` included. all-MiniLM-L6-v2 was trained on 128-token
/// inputs (sentence-transformers runs it at up to 256), attention cost grows with the square
/// of the window, and a mean over a long window dilutes one harmful sentence among benign
/// ones; so a long text is cut into 128-token windows, scored one by one (the head's training
/// prompts are all shorter than a window).
pub const MAX_WINDOW_TOKENS: usize = 128;

/// Where the fetch script installs the model: `$WARDEN_MINILM_DIR`, else `<repo>/models/minilm`
/// (relative to this crate's source, so it holds for tests and examples run from the repo).
pub fn default_model_dir() -> PathBuf {
    match std::env::var_os("WARDEN_MINILM_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/minilm"),
    }
}

/// Text to a fixed-size embedding; [`crate::train::train_head`] takes any implementation.
pub trait Embed {
    /// Embedding of the first window of `text` (L2-normalized).
    fn embed(&self, text: &str) -> Result<Vec<f32>, ClassifierError>;
}

/// One window's embedding and the byte range of the text it covers.
pub type Window = (Vec<f32>, std::ops::Range<usize>);

/// The MiniLM encoder plus its tokenizer. `Send + Sync`; one forward pass per window.
pub struct MiniLmEmbedder {
    model: Encoder,
    tokenizer: Tokenizer,
    cls: u32,
    sep: u32,
}

impl std::fmt::Debug for MiniLmEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MiniLmEmbedder").finish_non_exhaustive()
    }
}

fn read(path: &Path) -> Result<Vec<u8>, ClassifierError> {
    std::fs::read(path).map_err(|e| ClassifierError::Missing {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

impl MiniLmEmbedder {
    /// What [`load`](Self::load) can check in a few milliseconds without reading the
    /// weights: `config.json` parses, `tokenizer.json` is JSON, and `model.safetensors` has
    /// a readable header whose tensors fit in the file. Lets a lazily loaded classifier
    /// report a broken install at start-up.
    pub fn check(dir: impl AsRef<Path>) -> Result<(), ClassifierError> {
        use std::io::Read;
        let dir = dir.as_ref();
        let _: Config = serde_json::from_slice(&read(&dir.join("config.json"))?)
            .map_err(|e| ClassifierError::Model(format!("config.json: {e}")))?;
        serde_json::from_slice::<serde::de::IgnoredAny>(&read(&dir.join("tokenizer.json"))?)
            .map_err(|e| ClassifierError::Model(format!("tokenizer.json: {e}")))?;
        let path = dir.join("model.safetensors");
        let bad = |m: String| ClassifierError::Model(format!("model.safetensors: {m}"));
        let missing = |e: std::io::Error| ClassifierError::Missing {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        let mut f = std::fs::File::open(&path).map_err(missing)?;
        let size = f.metadata().map_err(missing)?.len();
        let mut len = [0u8; 8];
        f.read_exact(&mut len)
            .map_err(|e| bad(format!("no header: {e}")))?;
        let n = u64::from_le_bytes(len);
        if n > 100 << 20 || 8 + n > size {
            return Err(bad(format!("header of {n} bytes in a {size}-byte file")));
        }
        let mut header = vec![0u8; n as usize];
        f.read_exact(&mut header)
            .map_err(|e| bad(format!("header: {e}")))?;
        let header: std::collections::HashMap<String, serde_json::Value> =
            serde_json::from_slice(&header).map_err(|e| bad(format!("header: {e}")))?;
        let data = size - 8 - n;
        for (name, t) in &header {
            if name == "__metadata__" {
                continue;
            }
            let end = t["data_offsets"][1]
                .as_u64()
                .ok_or_else(|| bad(format!("{name}: no data_offsets")))?;
            if end > data {
                return Err(bad(format!(
                    "{name} ends at {end}, past the {data} bytes of data (truncated?)"
                )));
            }
        }
        Ok(())
    }

    /// Reads `config.json`, `tokenizer.json` and `model.safetensors` from `dir`. This is the
    /// only I/O; embedding is pure computation afterwards.
    pub fn load(dir: impl AsRef<Path>) -> Result<MiniLmEmbedder, ClassifierError> {
        MiniLmEmbedder::load_with(dir, Precision::Int8)
    }

    /// [`load`](Self::load) with the linear layers at a chosen precision.
    pub fn load_with(
        dir: impl AsRef<Path>,
        precision: Precision,
    ) -> Result<MiniLmEmbedder, ClassifierError> {
        let dir = dir.as_ref();
        let config: Config = serde_json::from_slice(&read(&dir.join("config.json"))?)
            .map_err(|e| ClassifierError::Model(format!("config.json: {e}")))?;
        let mut tokenizer = Tokenizer::from_bytes(read(&dir.join("tokenizer.json"))?)
            .map_err(|e| ClassifierError::Model(format!("tokenizer.json: {e}")))?;
        // The shipped tokenizer truncates and pads to 128; windows are cut here instead.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(None)
            .map_err(|e| ClassifierError::Model(e.to_string()))?;
        let special = |t: &str| {
            tokenizer
                .token_to_id(t)
                .ok_or_else(|| ClassifierError::Model(format!("tokenizer has no {t}")))
        };
        let (cls, sep) = (special("[CLS]")?, special("[SEP]")?);
        let model = Encoder::load_file(&dir.join("model.safetensors"), &config, precision)?;
        Ok(MiniLmEmbedder {
            model,
            tokenizer,
            cls,
            sep,
        })
    }

    /// Whether the word-embedding table is read from the weights file (the normal case)
    /// rather than held in memory.
    pub fn word_table_on_disk(&self) -> bool {
        self.model.word_table_on_disk()
    }

    /// Token ids of `text` (no special tokens, no truncation).
    pub fn token_ids(&self, text: &str) -> Result<Vec<u32>, ClassifierError> {
        let enc = self
            .tokenizer
            .encode(text, false)
            .map_err(|e| ClassifierError::Model(e.to_string()))?;
        Ok(enc.get_ids().to_vec())
    }

    /// Embeddings of up to `max_windows` consecutive windows of `text`, each at most
    /// [`MAX_WINDOW_TOKENS`] long, run as one batch. An empty text gives one window
    /// (`[CLS] [SEP]`).
    pub fn embed_windows(
        &self,
        text: &str,
        max_windows: usize,
    ) -> Result<Vec<Vec<f32>>, ClassifierError> {
        Ok(self
            .embed_windows_with_text(text, max_windows)?
            .into_iter()
            .map(|(e, _)| e)
            .collect())
    }

    /// [`embed_windows`](Self::embed_windows), each embedding with the byte range of `text`
    /// its window covers (from its first token's start to its last token's end).
    pub fn embed_windows_with_text(
        &self,
        text: &str,
        max_windows: usize,
    ) -> Result<Vec<Window>, ClassifierError> {
        let enc = self
            .tokenizer
            .encode(text, false)
            .map_err(|e| ClassifierError::Model(e.to_string()))?;
        let (ids, offsets) = (enc.get_ids(), enc.get_offsets());
        let per = MAX_WINDOW_TOKENS - 2;
        let mut chunks: Vec<&[u32]> = ids.chunks(per).take(max_windows.max(1)).collect();
        let mut ranges: Vec<std::ops::Range<usize>> = offsets
            .chunks(per)
            .take(chunks.len())
            .map(|o| {
                let start = o.first().map_or(0, |o| o.0).min(text.len());
                let end = o.last().map_or(0, |o| o.1).clamp(start, text.len());
                start..end
            })
            .collect();
        if chunks.is_empty() {
            chunks.push(&[]);
            ranges.push(0..0);
        }
        Ok(self.embed_many(&chunks)?.into_iter().zip(ranges).collect())
    }

    /// Mean-pooled, L2-normalized embedding of `[CLS] ids [SEP]`.
    pub fn embed_ids(&self, ids: &[u32]) -> Result<Vec<f32>, ClassifierError> {
        let mut v = self.embed_many(&[ids])?;
        Ok(v.pop().unwrap_or_default())
    }

    /// [`embed_ids`](Self::embed_ids) of each sequence, the encoder running them as one batch
    /// (the same bits as one at a time).
    pub fn embed_many(&self, seqs: &[&[u32]]) -> Result<Vec<Vec<f32>>, ClassifierError> {
        let seqs: Vec<Vec<u32>> = seqs
            .iter()
            .map(|ids| {
                let mut seq = Vec::with_capacity(ids.len() + 2);
                seq.push(self.cls);
                seq.extend_from_slice(ids);
                seq.push(self.sep);
                seq
            })
            .collect();
        let refs: Vec<&[u32]> = seqs.iter().map(Vec::as_slice).collect();
        let hidden = self.model.forward_many(&refs)?; // (Σ n, 384), row-major
        let d = self.model.hidden_size();
        let mut start = 0;
        let mut out = Vec::with_capacity(seqs.len());
        for seq in &seqs {
            let n = seq.len();
            let mut v = vec![0f32; d];
            for row in hidden[start * d..(start + n) * d].chunks_exact(d) {
                v.iter_mut().zip(row).for_each(|(v, x)| *v += x);
            }
            start += n;
            // Unpadded sequences: every position attends, and mean pooling is a plain mean.
            v.iter_mut().for_each(|x| *x /= n as f32);
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
            v.iter_mut().for_each(|x| *x /= norm);
            out.push(v);
        }
        crate::encoder::recycle(hidden);
        Ok(out)
    }
}

impl Embed for MiniLmEmbedder {
    fn embed(&self, text: &str) -> Result<Vec<f32>, ClassifierError> {
        let ids = self.token_ids(text)?;
        self.embed_ids(&ids[..ids.len().min(MAX_WINDOW_TOKENS - 2)])
    }
}
