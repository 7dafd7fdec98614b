-- 002: ngnprod's own data beside the Kamailio tables.
-- Rows here hang off the Kamailio rows by id and go away with them
-- (ON DELETE CASCADE), so one DELETE on subscriber/domain/dbaliases removes
-- an entity whole. Dates are UTC. Indexes back every listing filter and sort
-- key that clients use (see store_query.c).
CREATE TABLE IF NOT EXISTS sip_domain (
    domain_id INT(10) UNSIGNED PRIMARY KEY NOT NULL,
    customer INT UNSIGNED NOT NULL DEFAULT 0,
    reseller INT UNSIGNED NOT NULL DEFAULT 0,
    certificate MEDIUMTEXT NULL,
    private_key MEDIUMTEXT NULL,
    match_ip_address VARCHAR(255) NOT NULL DEFAULT '',
    match_sip_domain VARCHAR(255) NOT NULL DEFAULT '',
    verify_cert TINYINT(1) NOT NULL DEFAULT 0,
    require_cert TINYINT(1) NOT NULL DEFAULT 0,
    -- last number handed out for the username <autoincrement> (store_account.c A3)
    auto_username INT UNSIGNED NOT NULL DEFAULT 0,
    create_date DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    change_date DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    INDEX customer_idx (customer),
    INDEX reseller_idx (reseller),
    INDEX change_idx (change_date),
    CONSTRAINT sip_domain_fk FOREIGN KEY (domain_id) REFERENCES domain (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS sip_account (
    subscriber_id INT(10) UNSIGNED PRIMARY KEY NOT NULL,
    domain_id INT(10) UNSIGNED NOT NULL,
    -- names compare case-insensitively (directory search by name), index-backed
    first_name VARCHAR(128) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    last_name VARCHAR(128) COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
    email VARCHAR(255) NOT NULL DEFAULT '',
    rpid VARCHAR(64) NOT NULL DEFAULT '',
    timezone VARCHAR(64) NOT NULL DEFAULT '',
    owner INT UNSIGNED NOT NULL DEFAULT 0,
    customer INT UNSIGNED NOT NULL DEFAULT 0,
    reseller INT UNSIGNED NOT NULL DEFAULT 0,
    prepaid TINYINT(1) NOT NULL DEFAULT 0,
    quota INT UNSIGNED NOT NULL DEFAULT 0,
    call_limit INT UNSIGNED NOT NULL DEFAULT 0,
    region VARCHAR(64) NOT NULL DEFAULT '',
    timeout INT UNSIGNED NOT NULL DEFAULT 0,
    quickdial_prefix VARCHAR(64) NOT NULL DEFAULT '',
    create_date DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    change_date DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    INDEX domain_change_idx (domain_id, change_date),
    INDEX change_idx (change_date),
    INDEX email_idx (email),
    INDEX first_name_idx (first_name),
    INDEX last_name_idx (last_name),
    INDEX owner_idx (owner),
    INDEX customer_idx (customer),
    INDEX reseller_idx (reseller),
    CONSTRAINT sip_account_fk FOREIGN KEY (subscriber_id) REFERENCES subscriber (id) ON DELETE CASCADE,
    CONSTRAINT sip_account_domain_fk FOREIGN KEY (domain_id) REFERENCES domain (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS sip_account_property (
    subscriber_id INT(10) UNSIGNED NOT NULL,
    name VARCHAR(64) NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (subscriber_id, name),
    CONSTRAINT sip_property_fk FOREIGN KEY (subscriber_id) REFERENCES subscriber (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS sip_account_acl (
    subscriber_id INT(10) UNSIGNED NOT NULL,
    seq SMALLINT UNSIGNED NOT NULL,
    ip VARCHAR(45) NOT NULL,
    mask TINYINT UNSIGNED NOT NULL,
    tag VARCHAR(64) NOT NULL DEFAULT '',
    PRIMARY KEY (subscriber_id, seq),
    CONSTRAINT sip_acl_fk FOREIGN KEY (subscriber_id) REFERENCES subscriber (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS sip_alias (
    alias_id INT(10) UNSIGNED PRIMARY KEY NOT NULL,
    owner INT UNSIGNED NOT NULL DEFAULT 0,
    customer INT UNSIGNED NOT NULL DEFAULT 0,
    reseller INT UNSIGNED NOT NULL DEFAULT 0,
    change_date DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    INDEX change_idx (change_date),
    INDEX owner_idx (owner),
    INDEX customer_idx (customer),
    INDEX reseller_idx (reseller),
    CONSTRAINT sip_alias_fk FOREIGN KEY (alias_id) REFERENCES dbaliases (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- API logins (the auth header). pw_hash is crypt(3) output (yescrypt),
-- never the clear password. role: admin, reseller or customer; scoping by
-- customer/reseller ids is enforced by the store for non-admin roles.
CREATE TABLE IF NOT EXISTS api_user (
    id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    username VARCHAR(64) NOT NULL,
    pw_hash VARCHAR(255) NOT NULL,
    role ENUM('admin', 'reseller', 'customer') NOT NULL DEFAULT 'admin',
    customer INT UNSIGNED NOT NULL DEFAULT 0,
    reseller INT UNSIGNED NOT NULL DEFAULT 0,
    disabled TINYINT(1) NOT NULL DEFAULT 0,
    create_date DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    change_date DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT api_user_idx UNIQUE (username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Outbox of group-policy changes for proxy-glue. One row per account whose
-- membership changed, written in the same transaction as the change; it
-- names the account only: the glue reads the absolute state from grp.
CREATE TABLE IF NOT EXISTS proxy_event (
    id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    username VARCHAR(64) NOT NULL,
    domain VARCHAR(64) NOT NULL,
    created DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    INDEX created_idx (created)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Per-proxy position in the outbox: the highest event id that proxy has
-- acknowledged (all lower ids are applied too).
CREATE TABLE IF NOT EXISTS proxy_cursor (
    proxy VARCHAR(255) PRIMARY KEY NOT NULL,
    last_event_id BIGINT UNSIGNED NOT NULL DEFAULT 0,
    epoch VARCHAR(64) NOT NULL DEFAULT '',
    updated DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
