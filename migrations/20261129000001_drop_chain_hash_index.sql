-- `chain_hash` indexed a random 64-character key that no query reads: verify compares an
-- anchor while it walks the chain by `seq`. Every chain append paid for a random B-tree
-- insert (a different page per entry once the log outgrows the page cache).
DROP INDEX IF EXISTS chain_hash;
