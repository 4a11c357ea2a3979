//! Chat commands: a turn streamed over a channel, stop, threads.

use serde::Serialize;
use tauri::ipc::Channel;
use tauri::AppHandle;
use warden_audit::{ConversationSummary, ConversationTurn, Status};
use warden_core::{FnSink, GenerationEvent, TurnOptions};
use warden_engine::ChatMessage;

use crate::error::{ApiError, ApiResult};
use crate::state::blocking;

/// How a turn ended (the events carry the details).
#[derive(Debug, Serialize)]
pub struct TurnSummary {
    generation_id: i64,
    status: &'static str,
    conversation_id: Option<i64>,
}

/// Runs one turn; every pipeline event goes to `on_event`, in order. `options` are the
/// thread's own choices (prompt style, language pin, sampling preset); what is left out keeps
/// the settings'.
#[tauri::command]
pub async fn send_message(
    app: AppHandle,
    text: String,
    options: Option<TurnOptions>,
    on_event: Channel<GenerationEvent>,
) -> ApiResult<TurnSummary> {
    let options = options.unwrap_or_default();
    if let Some(lang) = &options.language {
        let lang = lang.trim();
        if !warden_core::settings::is_language_code(lang) {
            return Err(ApiError::new(
                "invalid_language",
                format!("{lang:?} is not a language code (use two or three letters, such as fr)"),
            ));
        }
    }
    blocking(app, move |st| {
        let mut session = st.session()?;
        // A closed window drops the channel: the turn still finishes and is recorded.
        let mut sink = FnSink(|ev| {
            let _ = on_event.send(ev);
        });
        let out = session.send_with(&text, &options, &mut sink)?;
        Ok(TurnSummary {
            generation_id: out.generation_id,
            status: out.status,
            conversation_id: session.conversation_id(),
        })
    })
    .await
}

/// Stops the running generation; false when none runs.
#[tauri::command]
pub async fn cancel(state: tauri::State<'_, crate::AppState>) -> ApiResult<bool> {
    Ok(state.cancel())
}

/// Starts a new thread.
#[tauri::command]
pub async fn new_thread(app: AppHandle) -> ApiResult<()> {
    blocking(app, |st| {
        st.session()?.reset();
        Ok(())
    })
    .await
}

/// The most recent threads.
#[tauri::command]
pub async fn list_threads(app: AppHandle) -> ApiResult<Vec<ConversationSummary>> {
    blocking(app, |st| {
        Ok(st.reader()?.call(|a| a.list_conversations(200))?)
    })
    .await
}

/// Opens a recorded thread: returns its turns and continues it in the session.
#[tauri::command]
pub async fn open_thread(app: AppHandle, id: i64) -> ApiResult<Vec<ConversationTurn>> {
    blocking(app, move |st| {
        let turns = st.reader()?.call(|a| a.conversation_messages(id))?;
        st.session()?.resume(id, history_of(&turns));
        Ok(turns)
    })
    .await
}

/// The model's view of a recorded thread: what `Session::send` would have kept (blocked and
/// failed turns never entered the history).
fn history_of(turns: &[ConversationTurn]) -> Vec<ChatMessage> {
    turns
        .iter()
        .filter(|t| matches!(t.status, Status::Completed | Status::Cancelled))
        .flat_map(|t| {
            [
                ChatMessage::user(t.prompt.clone()),
                ChatMessage::assistant(t.answer.clone()),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use warden_audit::GenerationId;

    fn turn(i: i64, status: Status) -> ConversationTurn {
        ConversationTurn {
            generation_id: GenerationId(i),
            turn_index: i,
            prompt: format!("q{i}"),
            reasoning: "thoughts".into(),
            answer: format!("a{i}"),
            status,
            created_at: 0,
        }
    }

    #[test]
    fn a_reopened_thread_leaves_blocked_and_failed_turns_out_of_the_history() {
        let turns = [
            turn(0, Status::Completed),
            turn(1, Status::Blocked),
            turn(2, Status::Failed),
            turn(3, Status::Cancelled),
        ];
        let h = history_of(&turns);
        assert_eq!(h.len(), 4);
        assert_eq!(h[0], ChatMessage::user("q0"));
        assert_eq!(h[3], ChatMessage::assistant("a3"));
    }
}
