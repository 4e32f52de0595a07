-- What a user wants to hear and read by default.
CREATE TABLE user_preferences (
    user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    audio_language TEXT NOT NULL DEFAULT '',
    subtitle_language TEXT NOT NULL DEFAULT '',
    subtitle_mode TEXT NOT NULL DEFAULT 'forced' CHECK (subtitle_mode IN ('off', 'forced', 'always'))
);

-- The tracks a user chose in an episode, for the next episodes of its show. A NULL
-- subtitle_language is no choice made; '' is subtitles off.
CREATE TABLE show_choices (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    show_id INTEGER NOT NULL REFERENCES media_items(id) ON DELETE CASCADE,
    audio_language TEXT NOT NULL DEFAULT '',
    subtitle_language TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, show_id)
);
