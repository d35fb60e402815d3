//! One SQLite file holds everything the host owns: the plugin's key-value storage, the catalog
//! and the Commerce orders. Migrations run at open, so any older file is brought up to date.

use std::path::Path;

use anyhow::{Context, Result};
use rusqlite::{params, Connection, OptionalExtension};

/// Largest value `storage` accepts; bigger ones fail with `too-large` instead of bloating the file.
pub const MAX_VALUE_BYTES: usize = 1024 * 1024;

/// Schema steps, applied in order; `PRAGMA user_version` remembers how many ran.
const MIGRATIONS: &[&str] = &[
    // 1: storage, catalog, Commerce orders.
    "CREATE TABLE kv (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
     CREATE TABLE products (
        sku TEXT PRIMARY KEY NOT NULL,
        name TEXT NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1,
        qty INTEGER -- NULL = stock not managed
     );
     CREATE TABLE orders (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        increment_id TEXT NOT NULL,
        store TEXT NOT NULL,
        amazon_order_id TEXT NOT NULL,
        status TEXT NOT NULL,
        currency TEXT NOT NULL,
        subtotal INTEGER NOT NULL,
        shipping INTEGER NOT NULL,
        discount INTEGER NOT NULL,
        tax INTEGER NOT NULL,
        grand_total INTEGER NOT NULL,
        customer_email TEXT NOT NULL,
        customer_name TEXT NOT NULL,
        draft_json TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (store, amazon_order_id)
     );
     CREATE TABLE order_items (
        order_id INTEGER NOT NULL REFERENCES orders(id),
        line INTEGER NOT NULL,
        sku TEXT NOT NULL,
        order_item_id TEXT NOT NULL,
        title TEXT NOT NULL,
        qty INTEGER NOT NULL,
        qty_shipped INTEGER NOT NULL DEFAULT 0,
        unit_price INTEGER NOT NULL,
        row_total INTEGER NOT NULL,
        PRIMARY KEY (order_id, line)
     );
     CREATE TABLE order_status_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        order_id INTEGER NOT NULL REFERENCES orders(id),
        status TEXT NOT NULL,
        comment TEXT NOT NULL,
        created_at INTEGER NOT NULL
     );
     CREATE TABLE reservations (
        store TEXT NOT NULL,
        amazon_order_id TEXT NOT NULL,
        sku TEXT NOT NULL,
        qty INTEGER NOT NULL,
        PRIMARY KEY (store, amazon_order_id, sku)
     );
     CREATE TABLE shipments (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        order_id INTEGER NOT NULL REFERENCES orders(id),
        carrier TEXT NOT NULL,
        tracking_number TEXT NOT NULL,
        items_json TEXT NOT NULL,
        created_at INTEGER NOT NULL
     );
     CREATE TABLE admin_message (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        message TEXT NOT NULL
     );",
];

pub struct Db {
    pub(crate) conn: Connection,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KvOp {
    Put(String, String),
    Delete(String),
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Product {
    pub sku: String,
    pub name: String,
    pub enabled: bool,
    /// `None` = stock not managed.
    pub qty: Option<i64>,
}

impl Db {
    pub fn open(path: &Path) -> Result<Db> {
        let conn = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
        Self::init(conn)
    }

    pub fn open_in_memory() -> Result<Db> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Db> {
        // WAL lets a second CLI process read while a tick writes; the timeout waits out its lock.
        conn.pragma_update(None, "journal_mode", "WAL").ok();
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut db = Db { conn };
        db.migrate()?;
        Ok(db)
    }

    fn migrate(&mut self) -> Result<()> {
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)
                .with_context(|| format!("migration {}", i + 1))?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(())
    }

    // ---- storage (kv) ----

    pub fn kv_get(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM kv WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// All ops in one transaction: a failure leaves every key as it was.
    pub fn kv_apply(&mut self, ops: &[KvOp]) -> Result<()> {
        let tx = self.conn.transaction()?;
        for op in ops {
            match op {
                KvOp::Put(k, v) => {
                    tx.execute(
                        "INSERT INTO kv (key, value) VALUES (?1, ?2)
                         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        params![k, v],
                    )?;
                }
                KvOp::Delete(k) => {
                    tx.execute("DELETE FROM kv WHERE key = ?1", [k])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Keys starting with `prefix`, strictly after `after`, ascending byte order (SQLite's
    /// BINARY collation compares UTF-8 bytes), at most `limit`.
    pub fn kv_list_prefix(
        &self,
        prefix: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        if limit == 0 {
            return Ok(out);
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT key, value FROM kv WHERE key >= ?1 AND (?2 IS NULL OR key > ?2) ORDER BY key",
        )?;
        let mut rows = stmt.query(params![prefix, after])?;
        // Rows come in key order, so the first key without the prefix ends the range.
        while let Some(row) = rows.next()? {
            let key: String = row.get(0)?;
            if !key.starts_with(prefix) {
                break;
            }
            out.push((key, row.get(1)?));
            if out.len() >= limit as usize {
                break;
            }
        }
        Ok(out)
    }

    pub fn kv_compare_and_swap(
        &mut self,
        key: &str,
        expected: Option<&str>,
        new: Option<&str>,
    ) -> Result<bool> {
        // IMMEDIATE takes the write lock before reading, so no other writer slips in between.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current: Option<String> = tx
            .query_row("SELECT value FROM kv WHERE key = ?1", [key], |r| r.get(0))
            .optional()?;
        if current.as_deref() != expected {
            return Ok(false);
        }
        match new {
            Some(v) => {
                tx.execute(
                    "INSERT INTO kv (key, value) VALUES (?1, ?2)
                     ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    params![key, v],
                )?;
            }
            None => {
                tx.execute("DELETE FROM kv WHERE key = ?1", [key])?;
            }
        }
        tx.commit()?;
        Ok(true)
    }

    // ---- catalog ----

    pub fn product(&self, sku: &str) -> Result<Option<Product>> {
        Ok(self
            .conn
            .query_row(
                "SELECT sku, name, enabled, qty FROM products WHERE sku = ?1",
                [sku],
                |r| {
                    Ok(Product {
                        sku: r.get(0)?,
                        name: r.get(1)?,
                        enabled: r.get(2)?,
                        qty: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    pub fn upsert_product(&mut self, p: &Product) -> Result<()> {
        self.conn.execute(
            "INSERT INTO products (sku, name, enabled, qty) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(sku) DO UPDATE SET name = excluded.name, enabled = excluded.enabled,
             qty = excluded.qty",
            params![p.sku, p.name, p.enabled, p.qty],
        )?;
        Ok(())
    }

    pub fn products(&self) -> Result<Vec<Product>> {
        let mut stmt = self
            .conn
            .prepare("SELECT sku, name, enabled, qty FROM products ORDER BY sku")?;
        let rows = stmt.query_map([], |r| {
            Ok(Product {
                sku: r.get(0)?,
                name: r.get(1)?,
                enabled: r.get(2)?,
                qty: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn admin_message(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT message FROM admin_message WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_is_all_or_nothing_when_a_write_fails_midway() {
        let mut db = Db::open_in_memory().unwrap();
        db.kv_apply(&[KvOp::Put("a".into(), "1".into())]).unwrap();
        // A trigger makes the third write fail, after two writes of the batch already ran.
        db.conn
            .execute_batch(
                "CREATE TRIGGER boom BEFORE INSERT ON kv WHEN NEW.key = 'boom'
                 BEGIN SELECT RAISE(ABORT, 'boom'); END;",
            )
            .unwrap();
        let r = db.kv_apply(&[
            KvOp::Put("b".into(), "2".into()),
            KvOp::Delete("a".into()),
            KvOp::Put("boom".into(), "x".into()),
        ]);
        assert!(r.is_err());
        assert_eq!(db.kv_get("a").unwrap().as_deref(), Some("1"));
        assert_eq!(db.kv_get("b").unwrap(), None);
    }

    #[test]
    fn migrations_run_once_and_reopen_keeps_data() {
        let dir = std::env::temp_dir().join(format!("hx-mig-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("m.sqlite");
        let _ = std::fs::remove_file(&path);
        {
            let mut db = Db::open(&path).unwrap();
            db.kv_apply(&[KvOp::Put("k".into(), "v".into())]).unwrap();
        }
        let db = Db::open(&path).unwrap();
        assert_eq!(db.kv_get("k").unwrap().as_deref(), Some("v"));
        let v: i64 = db
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v as usize, MIGRATIONS.len());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
