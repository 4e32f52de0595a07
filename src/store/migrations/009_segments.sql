-- Parts of a file that a player can skip: an intro, credits or a recap, found by comparing
-- a season's episodes ('fingerprint'), with how sure that is (0 to 1). Those named by
-- chapters are read from the chapters at request time.
CREATE TABLE media_segments (
    file_id INTEGER NOT NULL REFERENCES media_files(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('intro', 'credits', 'recap')),
    source TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    confidence REAL NOT NULL,
    PRIMARY KEY (file_id, kind, source)
);
