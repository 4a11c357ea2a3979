-- Warden audit log, initial schema.
-- Migrations are append-only: never edit this file once it has landed; add a new one.
-- Times are integer milliseconds since the Unix epoch (UTC).

CREATE TABLE conversations (
    id          INTEGER PRIMARY KEY,
    title       TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX conversations_updated ON conversations (updated_at DESC);

CREATE TABLE generations (
    -- Small, often-filtered columns first and the long texts last: SQLite reads a row's
    -- columns in order, so list filters and status checks never touch the text pages.
    id                   INTEGER PRIMARY KEY,
    conversation_id      INTEGER REFERENCES conversations (id) ON DELETE SET NULL,
    turn_index           INTEGER NOT NULL DEFAULT 0,
    status               TEXT    NOT NULL DEFAULT 'running'
        CHECK (status IN ('running', 'completed', 'cancelled', 'blocked', 'failed', 'interrupted')),
    -- Review state, a cache of the newest rows in `reviews` (which are chained); kept in the
    -- same transaction as the review and cross-checked by verify.
    flagged              INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
    review_status        TEXT    NOT NULL DEFAULT 'unreviewed'
        CHECK (review_status IN ('unreviewed', 'ok', 'harmful', 'needs-fix')),
    last_review_id       INTEGER,
    created_at           INTEGER NOT NULL,
    finished_at          INTEGER,
    owner_pid            INTEGER,            -- process that opened the row; for crash recovery
    model_name           TEXT    NOT NULL,
    model_sha256         TEXT,
    rendered_prompt_hash TEXT    NOT NULL,
    stop_reason          TEXT,
    prompt_tokens        INTEGER,
    completion_tokens    INTEGER,
    ttft_ms              REAL,
    prompt_tps           REAL,
    gen_tps              REAL,
    app_version          TEXT    NOT NULL,
    error                TEXT,
    model_meta           TEXT    NOT NULL DEFAULT '{}',  -- JSON, hashed as stored
    settings             TEXT    NOT NULL DEFAULT '{}',  -- JSON, hashed as stored
    prompt               TEXT    NOT NULL,
    answer               TEXT    NOT NULL DEFAULT '',
    reasoning            TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX generations_created     ON generations (created_at);
CREATE INDEX generations_model       ON generations (model_name, id);
CREATE INDEX generations_review      ON generations (review_status, id);
CREATE INDEX generations_flagged     ON generations (id) WHERE flagged = 1;
CREATE INDEX generations_reviewed    ON generations (id)
    WHERE flagged = 1 OR review_status <> 'unreviewed' OR last_review_id IS NOT NULL;
CREATE INDEX generations_running     ON generations (id) WHERE status = 'running';
CREATE INDEX generations_status      ON generations (status, id);
CREATE INDEX generations_conversation ON generations (conversation_id, turn_index);

CREATE TABLE guard_events (
    id             INTEGER PRIMARY KEY,
    generation_id  INTEGER NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    stage          TEXT    NOT NULL CHECK (stage IN ('input', 'reasoning', 'output')),
    scanner        TEXT    NOT NULL,
    category       TEXT    NOT NULL,
    score          REAL    NOT NULL,
    action         TEXT    NOT NULL CHECK (action IN ('allow', 'flag', 'redact', 'block')),
    spans          TEXT    NOT NULL DEFAULT '[]',   -- JSON [{"start":..,"end":..}], byte offsets
    policy_version TEXT    NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX guard_events_generation ON guard_events (generation_id);
CREATE INDEX guard_events_category   ON guard_events (category, generation_id);
CREATE INDEX guard_events_action     ON guard_events (action, generation_id);
CREATE INDEX guard_events_stage      ON guard_events (stage, generation_id);

-- Review history: one row per user flag ('flag') or reviewer verdict ('review').
CREATE TABLE reviews (
    id               INTEGER PRIMARY KEY,
    generation_id    INTEGER NOT NULL REFERENCES generations (id) ON DELETE CASCADE,
    kind             TEXT    NOT NULL CHECK (kind IN ('flag', 'review')),
    flag_reason      TEXT,
    status           TEXT    CHECK (status IN ('unreviewed', 'ok', 'harmful', 'needs-fix')),
    note             TEXT,
    corrected_answer TEXT,
    reviewer         TEXT,
    created_at       INTEGER NOT NULL
);
CREATE INDEX reviews_generation ON reviews (generation_id, kind, id);

-- The hash chain. `seq` is gapless; `hash` = SHA-256 over (seq, kind, ref_id, content_hash,
-- prev_hash). A prune deletes a prefix and leaves a row in `chain_checkpoints`.
CREATE TABLE chain (
    seq          INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL CHECK (kind IN ('generation', 'review', 'checkpoint')),
    ref_id       INTEGER NOT NULL,
    content_hash TEXT    NOT NULL,
    prev_hash    TEXT    NOT NULL,
    hash         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX chain_ref ON chain (kind, ref_id);
CREATE INDEX chain_hash ON chain (hash);

CREATE TABLE chain_checkpoints (
    id                  INTEGER PRIMARY KEY,
    through_seq         INTEGER NOT NULL,
    last_hash           TEXT    NOT NULL,
    pruned_generations  INTEGER NOT NULL,
    older_than          INTEGER NOT NULL,
    created_at          INTEGER NOT NULL
);

-- Full-text search over finalized generations. External content: the text lives once, in
-- `generations`. Rows are indexed when they leave 'running' (streaming partial saves would
-- otherwise re-index the whole text on every save), and kept in sync after that.
CREATE VIRTUAL TABLE generations_fts USING fts5 (
    prompt, answer, reasoning,
    content = 'generations', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER generations_fts_insert AFTER INSERT ON generations
WHEN new.status <> 'running' BEGIN
    INSERT INTO generations_fts (rowid, prompt, answer, reasoning)
    VALUES (new.id, new.prompt, new.answer, new.reasoning);
END;

CREATE TRIGGER generations_fts_finish AFTER UPDATE OF status ON generations
WHEN old.status = 'running' AND new.status <> 'running' BEGIN
    INSERT INTO generations_fts (rowid, prompt, answer, reasoning)
    VALUES (new.id, new.prompt, new.answer, new.reasoning);
END;

CREATE TRIGGER generations_fts_update AFTER UPDATE OF prompt, answer, reasoning ON generations
WHEN old.status <> 'running' AND new.status <> 'running' BEGIN
    INSERT INTO generations_fts (generations_fts, rowid, prompt, answer, reasoning)
    VALUES ('delete', old.id, old.prompt, old.answer, old.reasoning);
    INSERT INTO generations_fts (rowid, prompt, answer, reasoning)
    VALUES (new.id, new.prompt, new.answer, new.reasoning);
END;

CREATE TRIGGER generations_fts_delete AFTER DELETE ON generations
WHEN old.status <> 'running' BEGIN
    INSERT INTO generations_fts (generations_fts, rowid, prompt, answer, reasoning)
    VALUES ('delete', old.id, old.prompt, old.answer, old.reasoning);
END;
