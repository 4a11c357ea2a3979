//! GGUF inspection in pure Rust.
//!
//! llama.cpp trusts its input: a file with absurd counts can make it allocate wildly, and a
//! truncated file can take the process down. So every file is read here first, with hard limits,
//! before llama.cpp sees it. This also gives `warden models info` without loading any weights:
//! only the header, the metadata and the tensor table are read (a few MB at most, even for a
//! 14B model, since large arrays such as the vocabulary are skipped, not stored).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use serde::Serialize;

/// The four bytes every GGUF file starts with.
pub const GGUF_MAGIC: [u8; 4] = *b"GGUF";
/// More tensors than any real model has; a larger count means a corrupt header.
const MAX_TENSORS: u64 = 1_000_000;
/// More metadata entries than any real model has.
const MAX_KV: u64 = 100_000;
/// Longest string (key or value) accepted; chat templates are a few KB, 64 MiB is generous.
const MAX_STRING: u64 = 64 << 20;
/// Longest metadata array accepted (vocabularies are ~260k entries).
const MAX_ARRAY: u64 = 16 << 20;
const MAX_DIMS: u32 = 8;

/// Why a file is not a usable GGUF model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GgufError {
    /// The path does not exist.
    #[error("model file not found: {0}")]
    NotFound(String),
    /// The path is a directory, not a file.
    #[error("{0} is a directory, not a GGUF file")]
    IsDirectory(String),
    /// The file is empty.
    #[error("{0} is empty (0 bytes), not a GGUF model")]
    Empty(String),
    /// The file does not start with `GGUF`.
    #[error("{path} is not a GGUF file (starts with {found:02x?}, expected \"GGUF\")")]
    BadMagic {
        /// The file.
        path: String,
        /// The bytes found where the magic should be.
        found: Vec<u8>,
    },
    /// A GGUF version this build does not read.
    #[error("unsupported GGUF version {0} (supported: 2 and 3)")]
    UnsupportedVersion(u32),
    /// The header or a table is inconsistent (absurd counts, unknown types, bad strings).
    #[error("corrupt GGUF header: {0}")]
    Corrupt(String),
    /// The file ends before the data it describes.
    #[error("truncated GGUF file: {0}")]
    Truncated(String),
    /// An I/O error other than the ones above.
    #[error("cannot read model file: {0}")]
    Io(#[from] std::io::Error),
}

/// A scalar metadata value (arrays are summarized by their element type and length).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum MetaValue {
    /// Any unsigned integer type.
    U64(u64),
    /// Any signed integer type.
    I64(i64),
    /// f32 or f64.
    F64(f64),
    /// A boolean.
    Bool(bool),
    /// A UTF-8 string (lossy if the file holds invalid UTF-8).
    Str(String),
    /// An array, kept as its length only.
    Array {
        /// Number of elements.
        len: u64,
    },
}

impl MetaValue {
    /// The value as an unsigned integer, if it is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            MetaValue::U64(v) => Some(v),
            MetaValue::I64(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }
    /// The value as a string, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            MetaValue::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// What a GGUF file says about itself.
#[derive(Debug, Clone, Serialize)]
pub struct GgufInfo {
    /// The file's path as given.
    pub path: String,
    /// Size on disk in bytes.
    pub file_size: u64,
    /// GGUF format version.
    pub version: u32,
    /// Number of tensors.
    pub tensor_count: u64,
    /// `general.architecture` (e.g. `qwen2`, `llama`, `gemma3`).
    pub architecture: Option<String>,
    /// `general.name`.
    pub name: Option<String>,
    /// Parameter count, summed over the tensor table.
    pub parameters: u64,
    /// `general.file_type` as llama.cpp names it (e.g. `Q4_K_M`).
    pub file_type: Option<String>,
    /// `<arch>.context_length`: the context the model was trained with.
    pub context_length: Option<u64>,
    /// `<arch>.block_count`: number of layers.
    pub block_count: Option<u64>,
    /// `tokenizer.chat_template`, when the file carries one.
    pub chat_template: Option<String>,
    /// `tokenizer.ggml.bos_token_id`.
    pub bos_token_id: Option<u64>,
    /// `tokenizer.ggml.eos_token_id`.
    pub eos_token_id: Option<u64>,
    /// All scalar metadata (arrays as their length).
    #[serde(skip_serializing)]
    pub metadata: BTreeMap<String, MetaValue>,
}

impl GgufInfo {
    /// A metadata value by key.
    pub fn meta(&self, key: &str) -> Option<&MetaValue> {
        self.metadata.get(key)
    }
}

/// Reads and validates a GGUF file's header, metadata and tensor table.
///
/// Checks, in order: the path is a non-empty regular file, the magic, the version, sane
/// counts and string lengths, known value and tensor types, and that every tensor's data lies
/// inside the file (a truncated download fails here, not in llama.cpp).
pub fn inspect(path: impl AsRef<Path>) -> Result<GgufInfo, GgufError> {
    let path = path.as_ref();
    let shown = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(GgufError::NotFound(shown))
        }
        Err(e) => return Err(e.into()),
    };
    if meta.is_dir() {
        return Err(GgufError::IsDirectory(shown));
    }
    let file_size = meta.len();
    if file_size == 0 {
        return Err(GgufError::Empty(shown));
    }
    let mut r = Reader {
        inner: BufReader::with_capacity(1 << 16, File::open(path)?),
        pos: 0,
        size: file_size,
    };
    let mut magic = [0u8; 4];
    let n = r.read_up_to(&mut magic)?;
    if n < 4 || magic != GGUF_MAGIC {
        return Err(GgufError::BadMagic {
            path: shown,
            found: magic[..n].to_vec(),
        });
    }
    let version = r.u32()?;
    if !(2..=3).contains(&version) {
        return Err(GgufError::UnsupportedVersion(version));
    }
    let tensor_count = r.u64()?;
    let kv_count = r.u64()?;
    if tensor_count > MAX_TENSORS {
        return Err(GgufError::Corrupt(format!(
            "tensor count {tensor_count} exceeds {MAX_TENSORS}"
        )));
    }
    if kv_count > MAX_KV {
        return Err(GgufError::Corrupt(format!(
            "metadata count {kv_count} exceeds {MAX_KV}"
        )));
    }
    let mut metadata = BTreeMap::new();
    for _ in 0..kv_count {
        let key = r.string()?;
        let ty = r.u32()?;
        let value = r.value(ty)?;
        metadata.insert(key, value);
    }
    let alignment = metadata
        .get("general.alignment")
        .and_then(MetaValue::as_u64)
        .unwrap_or(32);
    if alignment == 0 || !alignment.is_power_of_two() {
        return Err(GgufError::Corrupt(format!("alignment {alignment}")));
    }
    let mut parameters: u64 = 0;
    let mut data_end: u64 = 0;
    for _ in 0..tensor_count {
        let name = r.string()?;
        let n_dims = r.u32()?;
        if n_dims == 0 || n_dims > MAX_DIMS {
            return Err(GgufError::Corrupt(format!(
                "tensor {name} has {n_dims} dimensions"
            )));
        }
        let mut elements: u64 = 1;
        for _ in 0..n_dims {
            let d = r.u64()?;
            elements = elements
                .checked_mul(d)
                .ok_or_else(|| GgufError::Corrupt(format!("tensor {name} is too large")))?;
        }
        let ty = r.u32()?;
        let offset = r.u64()?;
        parameters = parameters.saturating_add(elements);
        if let Some(bytes) = tensor_bytes(ty, elements) {
            data_end = data_end.max(offset.saturating_add(bytes));
        } else {
            data_end = data_end.max(offset);
        }
    }
    let data_start = r.pos.div_ceil(alignment) * alignment;
    let needed = data_start.saturating_add(data_end);
    if tensor_count > 0 && needed > file_size {
        return Err(GgufError::Truncated(format!(
            "{shown} is {file_size} bytes but its tensors need {needed}"
        )));
    }
    let arch = metadata
        .get("general.architecture")
        .and_then(MetaValue::as_str)
        .map(str::to_owned);
    let arch_key = |k: &str| {
        arch.as_ref()
            .and_then(|a| metadata.get(&format!("{a}.{k}")))
            .and_then(MetaValue::as_u64)
    };
    Ok(GgufInfo {
        path: shown,
        file_size,
        version,
        tensor_count,
        name: metadata
            .get("general.name")
            .and_then(MetaValue::as_str)
            .map(str::to_owned),
        parameters,
        file_type: metadata
            .get("general.file_type")
            .and_then(MetaValue::as_u64)
            .map(file_type_name),
        context_length: arch_key("context_length"),
        block_count: arch_key("block_count"),
        chat_template: metadata
            .get("tokenizer.chat_template")
            .and_then(MetaValue::as_str)
            .map(str::to_owned),
        bos_token_id: metadata
            .get("tokenizer.ggml.bos_token_id")
            .and_then(MetaValue::as_u64),
        eos_token_id: metadata
            .get("tokenizer.ggml.eos_token_id")
            .and_then(MetaValue::as_u64),
        architecture: arch,
        metadata,
    })
}

struct Reader<R> {
    inner: R,
    pos: u64,
    size: u64,
}

impl<R: Read + Seek> Reader<R> {
    fn read_up_to(&mut self, buf: &mut [u8]) -> Result<usize, GgufError> {
        let mut n = 0;
        while n < buf.len() {
            match self.inner.read(&mut buf[n..])? {
                0 => break,
                k => n += k,
            }
        }
        self.pos += n as u64;
        Ok(n)
    }
    fn exact(&mut self, buf: &mut [u8]) -> Result<(), GgufError> {
        if self.read_up_to(buf)? < buf.len() {
            return Err(GgufError::Truncated(format!(
                "file ends inside the header at byte {}",
                self.pos
            )));
        }
        Ok(())
    }
    fn skip(&mut self, n: u64) -> Result<(), GgufError> {
        if self.pos.saturating_add(n) > self.size {
            return Err(GgufError::Truncated(format!(
                "file ends inside the metadata at byte {}",
                self.size
            )));
        }
        let n = i64::try_from(n).map_err(|_| GgufError::Corrupt("skip too large".into()))?;
        self.inner.seek(SeekFrom::Current(n))?;
        self.pos += n as u64;
        Ok(())
    }
    fn u8(&mut self) -> Result<u8, GgufError> {
        let mut b = [0u8; 1];
        self.exact(&mut b)?;
        Ok(b[0])
    }
    fn u16(&mut self) -> Result<u16, GgufError> {
        let mut b = [0u8; 2];
        self.exact(&mut b)?;
        Ok(u16::from_le_bytes(b))
    }
    fn u32(&mut self) -> Result<u32, GgufError> {
        let mut b = [0u8; 4];
        self.exact(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn u64(&mut self) -> Result<u64, GgufError> {
        let mut b = [0u8; 8];
        self.exact(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn string_len(&mut self) -> Result<u64, GgufError> {
        let len = self.u64()?;
        if len > MAX_STRING {
            return Err(GgufError::Corrupt(format!(
                "string length {len} at byte {}",
                self.pos
            )));
        }
        if self.pos.saturating_add(len) > self.size {
            return Err(GgufError::Truncated(format!(
                "a string runs past the end of the file at byte {}",
                self.pos
            )));
        }
        Ok(len)
    }
    fn string(&mut self) -> Result<String, GgufError> {
        let len = self.string_len()?;
        let mut buf = vec![0u8; len as usize];
        self.exact(&mut buf)?;
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }
    fn value(&mut self, ty: u32) -> Result<MetaValue, GgufError> {
        Ok(match ty {
            0 => MetaValue::U64(u64::from(self.u8()?)),
            1 => MetaValue::I64(i64::from(self.u8()? as i8)),
            2 => MetaValue::U64(u64::from(self.u16()?)),
            3 => MetaValue::I64(i64::from(self.u16()? as i16)),
            4 => MetaValue::U64(u64::from(self.u32()?)),
            5 => MetaValue::I64(i64::from(self.u32()? as i32)),
            6 => MetaValue::F64(f64::from(f32::from_bits(self.u32()?))),
            7 => MetaValue::Bool(self.u8()? != 0),
            8 => MetaValue::Str(self.string()?),
            9 => {
                let elem = self.u32()?;
                let len = self.u64()?;
                if len > MAX_ARRAY {
                    return Err(GgufError::Corrupt(format!("array length {len}")));
                }
                match scalar_size(elem) {
                    Some(sz) => self.skip(len.saturating_mul(sz))?,
                    None if elem == 8 => {
                        for _ in 0..len {
                            let l = self.string_len()?;
                            self.skip(l)?;
                        }
                    }
                    None => {
                        return Err(GgufError::Corrupt(format!(
                            "unsupported array element type {elem}"
                        )))
                    }
                }
                MetaValue::Array { len }
            }
            10 => MetaValue::U64(self.u64()?),
            11 => MetaValue::I64(self.u64()? as i64),
            12 => MetaValue::F64(f64::from_bits(self.u64()?)),
            other => {
                return Err(GgufError::Corrupt(format!(
                    "unknown metadata value type {other} at byte {}",
                    self.pos
                )))
            }
        })
    }
}

fn scalar_size(ty: u32) -> Option<u64> {
    match ty {
        0 | 1 | 7 => Some(1),
        2 | 3 => Some(2),
        4..=6 => Some(4),
        10..=12 => Some(8),
        _ => None,
    }
}

/// Bytes taken by `elements` values of ggml type `ty`, for the types whose layout is known.
fn tensor_bytes(ty: u32, elements: u64) -> Option<u64> {
    // (elements per block, bytes per block), from ggml's type traits.
    let (block, size): (u64, u64) = match ty {
        0 => (1, 4),     // F32
        1 => (1, 2),     // F16
        2 => (32, 18),   // Q4_0
        3 => (32, 20),   // Q4_1
        6 => (32, 22),   // Q5_0
        7 => (32, 24),   // Q5_1
        8 => (32, 34),   // Q8_0
        9 => (32, 36),   // Q8_1
        10 => (256, 84), // Q2_K
        11 => (256, 110),
        12 => (256, 144), // Q4_K
        13 => (256, 176), // Q5_K
        14 => (256, 210), // Q6_K
        15 => (256, 292), // Q8_K
        24 => (1, 1),     // I8
        25 => (1, 2),     // I16
        26 => (1, 4),     // I32
        27 => (1, 8),     // I64
        28 => (1, 8),     // F64
        30 => (1, 2),     // BF16
        _ => return None,
    };
    Some(elements.div_ceil(block) * size)
}

/// llama.cpp's name for a `general.file_type` value.
pub fn file_type_name(ft: u64) -> String {
    let name = match ft {
        0 => "F32",
        1 => "F16",
        2 => "Q4_0",
        3 => "Q4_1",
        7 => "Q8_0",
        8 => "Q5_0",
        9 => "Q5_1",
        10 => "Q2_K",
        11 => "Q3_K_S",
        12 => "Q3_K_M",
        13 => "Q3_K_L",
        14 => "Q4_K_S",
        15 => "Q4_K_M",
        16 => "Q5_K_S",
        17 => "Q5_K_M",
        18 => "Q6_K",
        19 => "IQ2_XXS",
        20 => "IQ2_XS",
        21 => "Q2_K_S",
        22 => "IQ3_XS",
        23 => "IQ3_XXS",
        24 => "IQ1_S",
        25 => "IQ4_NL",
        26 => "IQ3_S",
        27 => "IQ3_M",
        28 => "IQ2_S",
        29 => "IQ2_M",
        30 => "IQ4_XS",
        31 => "IQ1_M",
        32 => "BF16",
        36 => "TQ1_0",
        37 => "TQ2_0",
        38 => "MXFP4",
        _ => return format!("type {ft}"),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(bytes).unwrap();
        f
    }

    fn header(version: u32, tensors: u64, kvs: u64) -> Vec<u8> {
        let mut v = b"GGUF".to_vec();
        v.extend(version.to_le_bytes());
        v.extend(tensors.to_le_bytes());
        v.extend(kvs.to_le_bytes());
        v
    }

    fn kv_str(v: &mut Vec<u8>, k: &str, s: &str) {
        v.extend((k.len() as u64).to_le_bytes());
        v.extend(k.as_bytes());
        v.extend(8u32.to_le_bytes());
        v.extend((s.len() as u64).to_le_bytes());
        v.extend(s.as_bytes());
    }

    #[test]
    fn a_minimal_valid_header_is_read() {
        let mut v = header(3, 0, 2);
        kv_str(&mut v, "general.architecture", "llama");
        kv_str(&mut v, "general.name", "tiny");
        let f = write(&v);
        let info = inspect(f.path()).unwrap();
        assert_eq!(info.architecture.as_deref(), Some("llama"));
        assert_eq!(info.name.as_deref(), Some("tiny"));
        assert_eq!(info.parameters, 0);
    }

    #[test]
    fn wrong_magic_is_rejected() {
        let f = write(b"GGML\x03\0\0\0");
        assert!(matches!(inspect(f.path()), Err(GgufError::BadMagic { .. })));
    }

    #[test]
    fn absurd_counts_are_rejected_before_any_allocation() {
        let f = write(&header(3, u64::MAX, 1));
        assert!(matches!(inspect(f.path()), Err(GgufError::Corrupt(_))));
        let f = write(&header(3, 1, u64::MAX / 2));
        assert!(matches!(inspect(f.path()), Err(GgufError::Corrupt(_))));
    }

    #[test]
    fn a_string_longer_than_the_file_is_truncation() {
        let mut v = header(3, 0, 1);
        v.extend(1000u64.to_le_bytes());
        v.extend(b"general.name");
        let f = write(&v);
        assert!(matches!(inspect(f.path()), Err(GgufError::Truncated(_))));
    }

    #[test]
    fn unknown_versions_are_rejected() {
        let f = write(&header(99, 0, 0));
        assert!(matches!(
            inspect(f.path()),
            Err(GgufError::UnsupportedVersion(99))
        ));
    }

    #[test]
    fn tensor_data_past_the_end_is_truncation() {
        let mut v = header(3, 1, 0);
        let name = "w";
        v.extend((name.len() as u64).to_le_bytes());
        v.extend(name.as_bytes());
        v.extend(1u32.to_le_bytes());
        v.extend(1024u64.to_le_bytes());
        v.extend(0u32.to_le_bytes()); // F32
        v.extend(0u64.to_le_bytes());
        let f = write(&v);
        assert!(matches!(inspect(f.path()), Err(GgufError::Truncated(_))));
    }
}
