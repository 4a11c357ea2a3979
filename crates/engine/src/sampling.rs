//! Sampling settings and per-model presets.

use serde::{Deserialize, Serialize};

use crate::template::ModelFamily;

/// How the next token is chosen. `temperature <= 0` means greedy decoding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SamplingParams {
    /// Softmax temperature; 0 or less is greedy.
    pub temperature: f32,
    /// Nucleus sampling mass (1.0 disables).
    pub top_p: f32,
    /// Keep only the k most likely tokens (0 disables).
    pub top_k: i32,
    /// Drop tokens below this fraction of the top token's probability (0 disables).
    pub min_p: f32,
    /// Penalty for repeating recent tokens (1.0 disables).
    pub repeat_penalty: f32,
    /// How many recent tokens the penalty looks at.
    pub repeat_last_n: i32,
    /// Random seed; `None` picks one per generation.
    pub seed: Option<u32>,
    /// Most tokens to generate.
    pub max_tokens: u32,
    /// Keep generating past end-of-generation tokens (benchmarks: a fixed token count).
    pub ignore_eog: bool,
    /// Decode the whole prompt even when its beginning is still in the KV cache from the
    /// previous generation (benchmarks that must measure prompt processing).
    pub fresh_context: bool,
}

impl Default for SamplingParams {
    fn default() -> Self {
        // llama.cpp's own defaults.
        Self {
            temperature: 0.8,
            top_p: 0.95,
            top_k: 40,
            min_p: 0.05,
            repeat_penalty: 1.0,
            repeat_last_n: 64,
            seed: None,
            max_tokens: 1024,
            ignore_eog: false,
            fresh_context: false,
        }
    }
}

impl SamplingParams {
    /// The preset for a model family.
    ///
    /// R1 distills: temperature 0.6 and top-p 0.95, as in DeepSeek's evaluation (0.5–0.7 avoids
    /// endless repetition and incoherence), and room for long reasoning. Gemma: Google's
    /// recommended temperature 1.0, top-k 64, top-p 0.95.
    pub fn preset(family: ModelFamily) -> Self {
        match family {
            ModelFamily::DeepseekR1 => Self {
                temperature: 0.6,
                top_p: 0.95,
                top_k: 0,
                min_p: 0.0,
                max_tokens: 4096,
                ..Self::default()
            },
            ModelFamily::Gemma => Self {
                temperature: 1.0,
                top_p: 0.95,
                top_k: 64,
                min_p: 0.0,
                ..Self::default()
            },
            ModelFamily::Llama3 | ModelFamily::Other => Self::default(),
        }
    }

    /// Greedy decoding: the most likely token every step (reproducible).
    pub fn greedy(max_tokens: u32) -> Self {
        Self {
            temperature: 0.0,
            seed: Some(0),
            max_tokens,
            ..Self::default()
        }
    }

    /// Checks the ranges llama.cpp expects.
    pub fn validate(&self) -> Result<(), String> {
        let finite = [
            self.temperature,
            self.top_p,
            self.min_p,
            self.repeat_penalty,
        ];
        if finite.iter().any(|v| !v.is_finite()) {
            return Err("sampling values must be finite numbers".into());
        }
        if !(0.0..=1.0).contains(&self.top_p) {
            return Err(format!("top_p must be in 0..=1, got {}", self.top_p));
        }
        if !(0.0..=1.0).contains(&self.min_p) {
            return Err(format!("min_p must be in 0..=1, got {}", self.min_p));
        }
        if self.top_k < 0 {
            return Err(format!("top_k must be >= 0, got {}", self.top_k));
        }
        if self.repeat_penalty <= 0.0 {
            return Err(format!(
                "repeat_penalty must be > 0 (1.0 disables), got {}",
                self.repeat_penalty
            ));
        }
        if self.max_tokens == 0 {
            return Err("max_tokens must be at least 1".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r1_preset_follows_deepseek_advice() {
        let p = SamplingParams::preset(ModelFamily::DeepseekR1);
        assert_eq!((p.temperature, p.top_p), (0.6, 0.95));
        assert!(p.validate().is_ok());
    }

    #[test]
    fn out_of_range_values_are_rejected() {
        for bad in [
            SamplingParams {
                top_p: 1.5,
                ..Default::default()
            },
            SamplingParams {
                temperature: f32::NAN,
                ..Default::default()
            },
            SamplingParams {
                repeat_penalty: 0.0,
                ..Default::default()
            },
            SamplingParams {
                max_tokens: 0,
                ..Default::default()
            },
            SamplingParams {
                top_k: -1,
                ..Default::default()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }
}
