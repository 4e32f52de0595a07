-- The first schema: users and their sign-in tokens, the library, and playback progress.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
    created_at INTEGER NOT NULL
);

-- Only a hash of each token is kept, so a copy of the database signs nobody in.
CREATE TABLE auth_tokens (
    token_hash BLOB PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE library_folders (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    last_scan_at INTEGER,
    error TEXT
);

-- Movies and shows have no parent; a season's parent is its show, an episode's its season.
-- ident is what makes an item the same item across scans (a lower-cased title and year,
-- or a season or episode number).
CREATE TABLE media_items (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('movie', 'show', 'season', 'episode')),
    parent_id INTEGER REFERENCES media_items(id) ON DELETE CASCADE,
    ident TEXT NOT NULL,
    title TEXT NOT NULL,
    year INTEGER,
    season INTEGER,
    episode INTEGER,
    episode_end INTEGER,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX media_items_ident ON media_items(kind, coalesce(parent_id, 0), ident);
CREATE INDEX media_items_parent ON media_items(parent_id);

-- seen_scan is the id of the last scan that found the file; a scan marks the files of its
-- folder it did not see as missing.
CREATE TABLE media_files (
    id INTEGER PRIMARY KEY,
    item_id INTEGER REFERENCES media_items(id) ON DELETE SET NULL,
    folder_id INTEGER NOT NULL REFERENCES library_folders(id) ON DELETE CASCADE,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime INTEGER NOT NULL,
    container TEXT,
    duration_ms INTEGER,
    bitrate INTEGER,
    error TEXT,
    missing INTEGER NOT NULL DEFAULT 0,
    seen_scan INTEGER NOT NULL DEFAULT 0,
    scanned_at INTEGER NOT NULL
);
CREATE INDEX media_files_item ON media_files(item_id);
CREATE INDEX media_files_folder ON media_files(folder_id, seen_scan);

-- Streams inside the file keep their index; sidecar subtitle files are numbered from 1000.
CREATE TABLE media_streams (
    file_id INTEGER NOT NULL REFERENCES media_files(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    type TEXT NOT NULL,
    codec TEXT,
    profile TEXT,
    level INTEGER,
    pix_fmt TEXT,
    bit_depth INTEGER,
    width INTEGER,
    height INTEGER,
    frame_rate REAL,
    channels INTEGER,
    channel_layout TEXT,
    sample_rate INTEGER,
    language TEXT,
    title TEXT,
    is_default INTEGER NOT NULL DEFAULT 0,
    external_path TEXT,
    PRIMARY KEY (file_id, idx)
) WITHOUT ROWID;

CREATE TABLE playback_progress (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    file_id INTEGER NOT NULL REFERENCES media_files(id) ON DELETE CASCADE,
    position_ms INTEGER NOT NULL DEFAULT 0,
    watched INTEGER NOT NULL DEFAULT 0,
    play_count INTEGER NOT NULL DEFAULT 0,
    last_played_at INTEGER,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, file_id)
) WITHOUT ROWID;
