-- 003: prepaid balances, their history, prepaid cards (vouchers) and the
-- voucher throttle. Money is BIGINT minor units of 1/10000 (server/money.h)
-- and is only ever changed by server/store_prepaid.c, whose header comment
-- lists the invariants these tables keep. Dates are UTC.

-- One row per prepaid account, created on first use (a prepaid account
-- without a row has balance 0). Kept when prepaid is turned off, so turning
-- it on again finds the old balance; removed with the account.
CREATE TABLE IF NOT EXISTS prepaid_balance (
    subscriber_id INT(10) UNSIGNED PRIMARY KEY NOT NULL,
    balance BIGINT NOT NULL DEFAULT 0,
    change_date DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT prepaid_balance_range CHECK (balance >= 0 AND balance <= 10000000000000000),
    CONSTRAINT prepaid_balance_fk FOREIGN KEY (subscriber_id) REFERENCES subscriber (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per balance change, written in the transaction of the change.
-- Per account, id order is the order of the changes (the balance row lock
-- serialises them), so `balance` of a row is the previous row's balance plus
-- `value`. Newest first = ORDER BY id DESC on (subscriber_id, id).
CREATE TABLE IF NOT EXISTS prepaid_history (
    id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    subscriber_id INT(10) UNSIGNED NOT NULL,
    date DATETIME NOT NULL,
    action VARCHAR(64) NOT NULL,
    description VARCHAR(255) NOT NULL DEFAULT '',
    value BIGINT NOT NULL,
    balance BIGINT NOT NULL,
    login VARCHAR(64) NOT NULL DEFAULT '',
    voucher_card_id INT UNSIGNED NULL,
    session VARCHAR(255) NULL,
    INDEX account_newest_idx (subscriber_id, id),
    CONSTRAINT prepaid_history_balance CHECK (balance >= 0),
    CONSTRAINT prepaid_history_fk FOREIGN KEY (subscriber_id) REFERENCES subscriber (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A batch of prepaid cards, made by `ngnprod-admin voucher create`. Every
-- card of a batch is worth `value` and may be redeemed up to and including
-- the UTC day `expires` (NULL: no expiry). A batch is created disabled and
-- enabled once its CSV file is safely written.
CREATE TABLE IF NOT EXISTS voucher_batch (
    id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    name VARCHAR(128) NOT NULL DEFAULT '',
    value BIGINT NOT NULL,
    expires DATE NULL,
    disabled TINYINT(1) NOT NULL DEFAULT 1,
    create_date DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT voucher_batch_value CHECK (value > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A card: id is what clients send as card.id; the number itself is never
-- stored, only number_hash = hex(SHA-256(salt || number)) with a random
-- 16-byte salt per card (hex). spent_date is set exactly once, by one
-- conditional UPDATE.
CREATE TABLE IF NOT EXISTS voucher_card (
    id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    batch_id INT UNSIGNED NOT NULL,
    salt CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    number_hash CHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    spent_date DATETIME NULL,
    spent_by INT(10) UNSIGNED NULL,
    spent_login VARCHAR(64) NULL,
    INDEX batch_idx (batch_id),
    CONSTRAINT voucher_card_batch_fk FOREIGN KEY (batch_id) REFERENCES voucher_batch (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Wrong voucher guesses, per card id (kind 'card', name = the id as text,
-- whether or not such a card exists) and per API login (kind 'login').
-- Shared by every front-end on the database; see store_voucher.c.
CREATE TABLE IF NOT EXISTS voucher_throttle (
    kind ENUM('card', 'account', 'login') NOT NULL,
    name VARCHAR(160) NOT NULL,
    failures INT UNSIGNED NOT NULL DEFAULT 0,
    last_failure DATETIME NOT NULL,
    locked_until DATETIME NULL,
    PRIMARY KEY (kind, name),
    INDEX last_failure_idx (last_failure)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
