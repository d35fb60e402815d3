//! Per-store settings from a TOML file: one `[stores.<code>]` table per store holding the flat keys
//! of `wit/STORAGE.md` ("Settings"). Secrets are only ever handed to the component, never printed.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};

/// Keys whose values are never printed.
pub const SECRET_KEYS: &[&str] = &["lwa_client_secret", "lwa_refresh_token"];

pub const DEFAULT_LWA_ENDPOINT: &str = "https://api.amazon.com/auth/o2/token";

#[derive(Clone, Default, PartialEq)]
pub struct Settings {
    /// store code → key → value (values kept as the strings the component receives).
    pub stores: BTreeMap<String, BTreeMap<String, String>>,
    /// `[http] allow = [...]`: the allow-list, when given explicitly; otherwise the endpoints.
    pub allow: Option<Vec<String>>,
}

/// Debug output masks secrets too, so a stray `{:?}` cannot leak them.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let masked: BTreeMap<&String, BTreeMap<&String, String>> = self
            .stores
            .iter()
            .map(|(c, m)| (c, m.iter().map(|(k, v)| (k, mask(k, v))).collect()))
            .collect();
        f.debug_struct("Settings")
            .field("stores", &masked)
            .field("allow", &self.allow)
            .finish()
    }
}

impl Settings {
    pub fn load(path: &Path) -> Result<Settings> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading settings {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("parsing settings {}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Settings> {
        let doc: toml::Table = text.parse()?;
        let mut out = Settings::default();
        if let Some(http) = doc.get("http") {
            let allow = http
                .get("allow")
                .and_then(|a| a.as_array())
                .context("[http] allow must be an array of URLs")?;
            out.allow = Some(
                allow
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .context("[http] allow: URLs are strings")
                    })
                    .collect::<Result<_>>()?,
            );
        }
        let Some(stores) = doc.get("stores") else {
            return Ok(out);
        };
        let stores = stores
            .as_table()
            .context("`stores` must be a table of [stores.<code>] tables")?;
        for (code, table) in stores {
            anyhow::ensure!(
                !code.is_empty()
                    && code
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)),
                "store code {code:?} must match [A-Za-z0-9_.-]+"
            );
            let table = table
                .as_table()
                .with_context(|| format!("[stores.{code}] must be a table"))?;
            let mut map = BTreeMap::new();
            for (k, v) in table {
                let s = match v {
                    toml::Value::String(s) => s.clone(),
                    toml::Value::Boolean(b) => b.to_string(),
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Float(f) => f.to_string(),
                    toml::Value::Datetime(d) => d.to_string(),
                    _ => anyhow::bail!(
                        "[stores.{code}] {k}: only strings, numbers, booleans and dates"
                    ),
                };
                map.insert(k.clone(), s);
            }
            out.stores.insert(code.clone(), map);
        }
        Ok(out)
    }

    pub fn to_toml(&self) -> String {
        let mut stores = toml::Table::new();
        for (code, map) in &self.stores {
            let t: toml::Table = map
                .iter()
                .map(|(k, v)| (k.clone(), toml::Value::String(v.clone())))
                .collect();
            stores.insert(code.clone(), toml::Value::Table(t));
        }
        let mut doc = toml::Table::new();
        if let Some(allow) = &self.allow {
            let mut http = toml::Table::new();
            http.insert(
                "allow".into(),
                toml::Value::Array(
                    allow
                        .iter()
                        .map(|a| toml::Value::String(a.clone()))
                        .collect(),
                ),
            );
            doc.insert("http".into(), toml::Value::Table(http));
        }
        doc.insert("stores".into(), toml::Value::Table(stores));
        toml::to_string_pretty(&doc).unwrap_or_default()
    }

    pub fn get_all(&self, store: &str) -> Vec<(String, String)> {
        self.stores
            .get(store)
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    }

    pub fn store_codes(&self) -> Vec<String> {
        self.stores.keys().cloned().collect()
    }

    /// `settings show`: every store's keys with secrets masked.
    pub fn show(&self) -> String {
        let mut out = String::new();
        for (code, map) in &self.stores {
            out.push_str(&format!("[stores.{code}]\n"));
            let width = map.keys().map(|k| k.len()).max().unwrap_or(0);
            for (k, v) in map {
                out.push_str(&format!("  {k:<width$} = {}\n", mask(k, v)));
            }
        }
        if out.is_empty() {
            out.push_str("(no stores configured)\n");
        }
        if let Some(allow) = &self.allow {
            out.push_str(&format!("[http]\n  allow = {allow:?}\n"));
        }
        out
    }

    /// The endpoints the component may call: configured ones, or the documented default the
    /// component falls back to when a key is missing.
    pub fn endpoints(&self) -> Vec<String> {
        if let Some(allow) = &self.allow {
            return allow.clone();
        }
        let mut out = Vec::new();
        for map in self.stores.values() {
            match map.get("spapi_endpoint") {
                Some(e) => out.push(e.clone()),
                None => out.push(default_spapi_endpoint(
                    map.get("marketplace_id").map(String::as_str).unwrap_or(""),
                )),
            }
            out.push(
                map.get("lwa_endpoint")
                    .cloned()
                    .unwrap_or_else(|| DEFAULT_LWA_ENDPOINT.to_string()),
            );
        }
        out
    }
}

/// The value as it may be shown: secrets keep nothing but the fact that they are set.
pub fn mask(key: &str, value: &str) -> String {
    if SECRET_KEYS.contains(&key) {
        if value.is_empty() {
            "(empty)".into()
        } else {
            "******** (set)".into()
        }
    } else {
        value.to_string()
    }
}

/// SP-API region of a marketplace (STORAGE.md: NA, EU or FE).
pub fn default_spapi_endpoint(marketplace_id: &str) -> String {
    const NA: &[&str] = &[
        "ATVPDKIKX0DER",
        "A2EUQ1WTGCTBG2",
        "A1AM78C64UM0Y8",
        "A2Q3Y263D00KWC",
    ];
    const FE: &[&str] = &["A1VC38T7YXB528", "A39IBJ37TRP1C6", "A19VAU5U5O7RUS"];
    let region = if NA.contains(&marketplace_id) {
        "na"
    } else if FE.contains(&marketplace_id) {
        "fe"
    } else {
        "eu"
    };
    format!("https://sellingpartnerapi-{region}.amazon.com")
}
