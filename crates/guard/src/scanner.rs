//! The one trait every scanner implements.

use crate::normalize::Normalized;
use crate::types::{Context, Hit};

/// A rule hit scoring at least this (a strong term or pattern) is never withdrawn by a
/// scanner that [withdraws rule hits](Scanner::withdraws_rules); a weaker one (a term next to
/// an action or a request) may be.
pub const STRONG_RULE: f32 = 0.9;

/// Whether a scanner that [withdraws rule hits](Scanner::withdraws_rules) may withdraw `h`:
/// a hazard hit of the rules scoring below [`STRONG_RULE`].
pub fn withdrawable(h: &Hit) -> bool {
    h.scanner == crate::rules::NAME && h.category.is_hazard() && h.score < STRONG_RULE
}

/// A detector: canonical text (with its original) in, hits out.
///
/// Scanners are pure and `Send + Sync` so one [`Guard`](crate::Guard) can serve every thread.
/// They push into a caller-owned `Vec` rather than returning one, so the hot path allocates
/// only when something is found. Spans in hits are byte ranges of the *original* text (use
/// [`Normalized::to_original`] for matches in the canonical text).
///
/// The built-in scanners are rules, injection heuristics, PII and language; an ML classifier or
/// a guard model plugs in through [`Guard::add_scanner`](crate::Guard::add_scanner). Such a
/// scanner may be unavailable (model not loaded): [`ready`](Scanner::ready) then returns
/// `false` and the policy's `fail_mode` decides between skipping it (open) and blocking
/// (closed).
pub trait Scanner: Send + Sync + std::fmt::Debug {
    /// A short stable name, e.g. `"rules"`; used as [`Hit::scanner`] prefix and in audit logs.
    fn name(&self) -> &str;

    /// Scans `norm` and appends findings to `out`. Must not panic on any input.
    fn scan(&self, norm: &Normalized<'_>, ctx: &Context, out: &mut Vec<Hit>);

    /// Whether the scanner can run now. Built-in scanners always can. The guard asks before
    /// and after each scan: one that turns unready during a scan counts as unavailable for
    /// that text (the policy's fail mode decides).
    fn ready(&self) -> bool {
        true
    }

    /// Gets ready in the background (a model that loads on first use may start loading now),
    /// so the first scan does not wait. Built-in scanners are always ready.
    fn prepare(&self) {}

    /// Whether `scan` may withdraw the rules' weaker hazard hits ([`withdrawable`]) it finds
    /// in `out` at `ctx`'s stage, reading the text as confidently benign. While
    /// streaming, such hits wait for this scanner's reading of the text that holds them.
    fn withdraws_rules(&self, _ctx: &Context) -> bool {
        false
    }
}
