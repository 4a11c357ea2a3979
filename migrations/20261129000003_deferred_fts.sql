-- The full-text index is built behind the write path instead of inside it. Indexing a
-- row inside its own transaction cost most of a write: FTS5 flushes a new segment per
-- transaction and merges them, ~0.6 ms a generation one at a time, where the same rows
-- indexed a thousand at a time cost ~0.06 ms each. A finalized row now only queues its id
-- here (in the transaction that finalizes it, so a crash cannot lose the entry); the log
-- indexes the queue in batches: after every few hundred finished generations, before any
-- text search runs, and when it closes. Rows that were indexed when this migration runs
-- stay indexed; the queue starts empty.
CREATE TABLE fts_pending (generation_id INTEGER PRIMARY KEY);

DROP TRIGGER generations_fts_insert;
DROP TRIGGER generations_fts_finish;
DROP TRIGGER generations_fts_update;
DROP TRIGGER generations_fts_delete;

CREATE TRIGGER generations_fts_insert AFTER INSERT ON generations
WHEN new.status <> 'running' BEGIN
    INSERT OR IGNORE INTO fts_pending (generation_id) VALUES (new.id);
END;

CREATE TRIGGER generations_fts_finish AFTER UPDATE OF status ON generations
WHEN old.status = 'running' AND new.status <> 'running' BEGIN
    INSERT OR IGNORE INTO fts_pending (generation_id) VALUES (new.id);
END;

-- A queued row is indexed with whatever text it has when the indexer reaches it; an
-- indexed row's old terms come out now and the row is queued again.
CREATE TRIGGER generations_fts_update AFTER UPDATE OF prompt, answer, reasoning ON generations
WHEN old.status <> 'running' AND new.status <> 'running'
    AND NOT EXISTS (SELECT 1 FROM fts_pending WHERE generation_id = old.id) BEGIN
    INSERT INTO generations_fts (generations_fts, rowid, prompt, answer, reasoning)
    VALUES ('delete', old.id, old.prompt, old.answer, old.reasoning);
    INSERT INTO fts_pending (generation_id) VALUES (new.id);
END;

-- External-content FTS5 must only be told to delete what it holds: a queued row leaves the
-- queue, an indexed one leaves the index.
CREATE TRIGGER generations_fts_delete AFTER DELETE ON generations
WHEN old.status <> 'running' BEGIN
    INSERT INTO generations_fts (generations_fts, rowid, prompt, answer, reasoning)
    SELECT 'delete', old.id, old.prompt, old.answer, old.reasoning
    WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE generation_id = old.id);
    DELETE FROM fts_pending WHERE generation_id = old.id;
END;
