-- Keys that sign links for native players (auth/link.c). The newest signs; an older one
-- still verifies until signed_until, the latest expiry of a link it signed (ms), passes.
CREATE TABLE link_keys (
    id INTEGER PRIMARY KEY,
    secret BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    signed_until INTEGER NOT NULL
);

-- Part of every link's signature: "sign out everywhere" raises it, and every link the user
-- was given stops working.
ALTER TABLE users ADD COLUMN link_epoch INTEGER NOT NULL DEFAULT 0;
