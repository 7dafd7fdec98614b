-- 004: customers and resellers, as NGNPro's Customer port has them
-- (urn:AGProjects:NGNPro:Customer). A customer whose id equals its reseller
-- is a reseller. Written only by server/store/store_customer.c.
--
-- Identity: a customer record owns its API login. The login is the
-- api_user row whose customer_id is this id (created, renamed, re-hashed and
-- removed with the customer, in the same transaction), so the SOAP `auth`
-- check keeps reading api_user alone and there is one list of logins.
-- `password` is the clear password: NGNPro returns it to an admin's
-- getCustomers and CDRTool logs in with it (contract part 2 §3.4). It is
-- read by the admin-only Customer port and `ngnprod-admin customer show`,
-- never logged; api_user keeps only its yescrypt hash for the login check.
CREATE TABLE IF NOT EXISTS customer (
    id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY NOT NULL,
    reseller INT UNSIGNED NOT NULL DEFAULT 0,
    impersonate INT UNSIGNED NOT NULL DEFAULT 0,
    reseller_active TINYINT(1) NOT NULL DEFAULT 0,
    company_code VARCHAR(64) NOT NULL DEFAULT '',
    balance DECIMAL(14,4) NOT NULL DEFAULT 0,
    credit DECIMAL(14,4) NOT NULL DEFAULT 0,
    username VARCHAR(64) NOT NULL,
    password VARCHAR(64) NOT NULL DEFAULT '',
    first_name VARCHAR(128) NOT NULL DEFAULT '',
    last_name VARCHAR(128) NOT NULL DEFAULT '',
    organization VARCHAR(255) NOT NULL DEFAULT '',
    tel VARCHAR(64) NOT NULL DEFAULT '',
    fax VARCHAR(64) NOT NULL DEFAULT '',
    enum VARCHAR(64) NOT NULL DEFAULT '',
    sip VARCHAR(255) NOT NULL DEFAULT '',
    mobile VARCHAR(64) NOT NULL DEFAULT '',
    email VARCHAR(255) NOT NULL DEFAULT '',
    web VARCHAR(255) NOT NULL DEFAULT '',
    address VARCHAR(255) NOT NULL DEFAULT '',
    postcode VARCHAR(64) NOT NULL DEFAULT '',
    city VARCHAR(128) NOT NULL DEFAULT '',
    state VARCHAR(128) NOT NULL DEFAULT '',
    country VARCHAR(64) NOT NULL DEFAULT '',
    timezone VARCHAR(64) NOT NULL DEFAULT '',
    language VARCHAR(64) NOT NULL DEFAULT '',
    vat_number VARCHAR(64) NOT NULL DEFAULT '',
    bank_account VARCHAR(255) NOT NULL DEFAULT '',
    billing_email VARCHAR(255) NOT NULL DEFAULT '',
    billing_address VARCHAR(1024) NOT NULL DEFAULT '',
    change_date DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT customer_username_idx UNIQUE (username),
    INDEX customer_reseller_idx (reseller)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A customer's properties, one row per name (setProperties merges by name).
CREATE TABLE IF NOT EXISTS customer_property (
    customer_id INT UNSIGNED NOT NULL,
    name VARCHAR(64) NOT NULL,
    value TEXT NOT NULL,
    category VARCHAR(32) NOT NULL DEFAULT '',
    permission VARCHAR(16) NOT NULL DEFAULT 'customer',
    PRIMARY KEY (customer_id, name),
    CONSTRAINT customer_property_fk FOREIGN KEY (customer_id) REFERENCES customer (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The login a customer record owns (NULL: an operator login of its own).
ALTER TABLE api_user ADD COLUMN IF NOT EXISTS customer_id INT UNSIGNED NULL,
    ADD CONSTRAINT api_user_customer_fk FOREIGN KEY (customer_id) REFERENCES customer (id) ON DELETE CASCADE;
