-- The dashboard's counts read from indexes alone (no row of `generations` is ~5 KB of text
-- away from its date). Each index below replaces one with the same leading columns, so a
-- write still updates the same number of indexes; they only carry a few bytes more.
--
-- Counts per day: date and flag.
DROP INDEX IF EXISTS generations_created;
CREATE INDEX generations_created ON generations (created_at, flagged);
-- "Does this generation have a non-allow verdict (of this category)?", per generation.
DROP INDEX IF EXISTS guard_events_generation;
CREATE INDEX guard_events_generation ON guard_events (generation_id, action, category);
-- Actions by stage. The action goes last: the filters' "an event of this stage for this
-- generation" looks up (stage, generation_id), which an action in between would turn into
-- a scan of every event of the stage, per generation.
DROP INDEX IF EXISTS guard_events_stage;
CREATE INDEX guard_events_stage ON guard_events (stage, generation_id, action);
