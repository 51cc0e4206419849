-- 0004_quiz_attempts: one attempt per reader (account id, or an anonymous cookie id).
CREATE TABLE quiz_attempt (
    quiz_id INTEGER NOT NULL REFERENCES quiz(id) ON DELETE CASCADE,
    who     TEXT NOT NULL,      -- "u:<user id>" or "c:<cookie id>"
    answers TEXT NOT NULL,      -- JSON list of chosen option indices (as shown)
    score   INTEGER NOT NULL,
    at      INTEGER NOT NULL,
    PRIMARY KEY (quiz_id, who)
) STRICT;
