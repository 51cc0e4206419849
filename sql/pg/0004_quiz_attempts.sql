-- 0004_quiz_attempts (PostgreSQL): one attempt per reader.
CREATE TABLE quiz_attempt (
    quiz_id bigint NOT NULL REFERENCES quiz(id) ON DELETE CASCADE,
    who     text NOT NULL,
    answers text NOT NULL,
    score   bigint NOT NULL,
    at      bigint NOT NULL,
    PRIMARY KEY (quiz_id, who)
);
