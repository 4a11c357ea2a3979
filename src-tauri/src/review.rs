//! Review commands over the audit log: list, show, flag, review, verify the hash chain, and
//! the dashboard's stats.

use tauri::ipc::Channel;
use tauri::AppHandle;
use warden_audit::{
    Filter, GenerationDetail, GenerationId, GenerationSummary, Page, ReviewInput, Stats,
    VerifyReport,
};

use crate::error::ApiResult;
use crate::export::{throttled, ExportProgress};
use crate::state::blocking;

/// Generations matching `filter`, newest first (50 by default).
#[tauri::command]
pub async fn audit_list(
    app: AppHandle,
    filter: Filter,
    page: Option<Page>,
) -> ApiResult<Vec<GenerationSummary>> {
    let page = page.unwrap_or(Page {
        limit: 50,
        offset: 0,
        before: None,
    });
    blocking(app, move |st| {
        Ok(st.reader()?.call(|a| a.list(&filter, page))?)
    })
    .await
}

/// One generation: prompt, reasoning, answer, verdicts, reviews.
#[tauri::command]
pub async fn audit_show(app: AppHandle, id: i64) -> ApiResult<GenerationDetail> {
    blocking(app, move |st| {
        Ok(st.reader()?.call(|a| a.show(GenerationId(id)))?)
    })
    .await
}

/// Flags a generation for review.
#[tauri::command]
pub async fn audit_flag(app: AppHandle, id: i64, reason: String) -> ApiResult<i64> {
    blocking(app, move |st| {
        Ok(st.reader()?.call(|a| a.flag(GenerationId(id), &reason))?)
    })
    .await
}

/// Records a reviewer's verdict (`ok`, `harmful`, `needs-fix`).
#[tauri::command]
pub async fn audit_review(app: AppHandle, id: i64, input: ReviewInput) -> ApiResult<i64> {
    blocking(app, move |st| {
        Ok(st.reader()?.call(|a| a.review(GenerationId(id), input))?)
    })
    .await
}

/// Walks the hash chain (as `warden audit verify`): intact, or the first broken link.
/// Progress (entries checked of the chain's) goes to `on_progress`: a large log takes seconds.
#[tauri::command]
pub async fn audit_verify(
    app: AppHandle,
    on_progress: Channel<ExportProgress>,
) -> ApiResult<VerifyReport> {
    blocking(app, move |st| {
        let progress = throttled(&on_progress);
        Ok(st
            .reader()?
            .call(|a| a.verify_with_progress(None, progress))?)
    })
    .await
}

/// Counts over the audit log (the Dashboard): per day, by stage, action and category.
#[tauri::command]
pub async fn audit_stats(app: AppHandle) -> ApiResult<Stats> {
    let filter = Filter::default();
    blocking(app, move |st| {
        Ok(st.reader()?.call(|a| a.stats(&filter))?)
    })
    .await
}
