//! Order settings of one Amazon store (ASC *Order Settings*), with the ASC defaults.

use crate::prelude::*;
use chrono::{DateTime, Utc};
use core::fmt;
use serde::{Deserialize, Serialize};

use crate::amazon::keys::{keys, Keys};
use crate::amazon::read::{read_object, Read, Reader};
use crate::amazon::write::{key, Writer};
use crate::amazon::{parse_time, slice, trimmed};
use crate::marketplace::Marketplace;
use crate::text::{is, CODE, STORE_CODE};

/// The flat settings `StoreConfig::from_pairs` reads (`wit/STORAGE.md`), in [`Setting`] order:
/// each pair's key is hashed once instead of compared with every name.
const SETTINGS: &Keys = keys![
    "import_orders",
    "reserve_pending",
    "store_view",
    "processing_status",
    "customer_creation",
    "order_number_source",
    "marketplace_id",
    "integrated_at",
    "lwa_client_id",
    "lwa_client_secret",
    "lwa_refresh_token",
    "spapi_endpoint",
    "lwa_endpoint",
    "store_name",
];

#[derive(Clone, Copy)]
enum Setting {
    ImportOrders,
    ReservePending,
    StoreView,
    ProcessingStatus,
    CustomerCreation,
    OrderNumberSource,
    MarketplaceId,
    IntegratedAt,
    LwaClientId,
    LwaClientSecret,
    LwaRefreshToken,
    SpapiEndpoint,
    LwaEndpoint,
    StoreName,
}

const SETTING_COUNT: usize = Setting::StoreName as usize + 1;
const _: () = assert!(SETTINGS.len() == SETTING_COUNT);

impl Setting {
    fn key(self) -> &'static str {
        // Always found: one key per setting (asserted above).
        SETTINGS.name(self as usize).unwrap_or_default()
    }
}

/// *Customer Creation*.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerCreation {
    /// `No Customer Creation (guest)`.
    #[default]
    Guest,
    /// `Build New Customer Account`.
    #[serde(alias = "create_account")]
    Account,
}

impl CustomerCreation {
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerCreation::Guest => "guest",
            CustomerCreation::Account => "account",
        }
    }
}

/// *Order Number Source*.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderNumberSource {
    /// `Build Using Magento Order Number`: Commerce numbers the order.
    #[default]
    Commerce,
    /// `Build Using Amazon Order Number`: the increment id is the Amazon order id.
    Amazon,
}

impl OrderNumberSource {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderNumberSource::Commerce => "commerce",
            OrderNumberSource::Amazon => "amazon",
        }
    }
}

/// The order settings. Missing fields take the ASC defaults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OrderSettings {
    /// *Import Amazon Orders*; disabled keeps view-only rows.
    pub import_orders: bool,
    /// *Import Amazon Orders Into Store*: the store view code orders are placed in.
    pub store_view: String,
    pub customer_creation: CustomerCreation,
    pub order_number_source: OrderNumberSource,
    /// *Pending Orders*: reserve the quantity of Pending MFN orders.
    pub reserve_pending: bool,
    /// *Processing Order Status*: the status new orders get ("processing" = default status).
    pub processing_status: String,
}

impl Default for OrderSettings {
    fn default() -> Self {
        OrderSettings {
            import_orders: true,
            store_view: "default".into(),
            customer_creation: CustomerCreation::Guest,
            order_number_source: OrderNumberSource::Commerce,
            reserve_pending: false,
            processing_status: DEFAULT_PROCESSING_STATUS.into(),
        }
    }
}

pub const DEFAULT_PROCESSING_STATUS: &str = "processing";

/// One invalid setting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub(crate) fn write(&self, w: &mut Writer) {
        w.object(|w| {
            w.str_member(key!("field"), &self.field);
            w.str_member(key!("message"), &self.message);
        })
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

fn field_error(field: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        message: message.into(),
    }
}

impl OrderSettings {
    /// The settings as the flat key/value pairs of the `settings` interface (the inverse of
    /// [`StoreConfig::from_pairs`] for these keys).
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let text = |b: bool| if b { "true" } else { "false" }.to_owned();
        vec![
            ("import_orders".into(), text(self.import_orders)),
            ("store_view".into(), self.store_view.clone()),
            (
                "customer_creation".into(),
                self.customer_creation.as_str().into(),
            ),
            (
                "order_number_source".into(),
                self.order_number_source.as_str().into(),
            ),
            ("reserve_pending".into(), text(self.reserve_pending)),
            ("processing_status".into(), self.processing_status.clone()),
        ]
    }

    /// The settings as an object with snake_case keys; a missing key takes its default.
    pub(crate) fn read(r: &mut Reader<'_>) -> Read<OrderSettings> {
        let mut s = OrderSettings::default();
        read_object!(r, "order settings", |r| {
            "import_orders" => s.import_orders = r.bool()?,
            "store_view" => s.store_view = r.string()?,
            "customer_creation" => {
                let names = ["guest", "account"];
                s.customer_creation = [CustomerCreation::Guest, CustomerCreation::Account]
                    [r.variant(&names, &[("create_account", 1)])?]
            },
            "order_number_source" => {
                s.order_number_source = [OrderNumberSource::Commerce, OrderNumberSource::Amazon]
                    [r.variant(&["commerce", "amazon"], &[])?]
            },
            "reserve_pending" => s.reserve_pending = r.bool()?,
            "processing_status" => s.processing_status = r.string()?,
        });
        Ok(s)
    }

    /// Every problem at once, so an admin form can show them all.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if !is_code(&self.store_view, 64) {
            errors.push(field_error(
                "store_view",
                "Choose the store view orders are imported into (letters, digits, _ and -).",
            ));
        }
        if !is_code(&self.processing_status, 32) {
            errors.push(field_error(
                "processing_status",
                "Processing Order Status must be an order status code of at most 32 letters, digits or _.",
            ));
        }
        errors
    }
}

/// `text.trim_end_matches('/')` without `str`'s generic pattern machinery (141 bytes of the
/// component for this one call).
fn without_trailing_slashes(text: &str) -> &str {
    let end = text
        .bytes()
        .rposition(|b| b != b'/')
        .map_or(0, |last| last + 1);
    slice(text, 0..end)
}

fn is_code(value: &str, max: usize) -> bool {
    has_only(value, max, CODE)
}

/// Store codes become storage key segments, so they never contain `/`.
pub fn is_store_code(store: &str) -> bool {
    has_only(store, 64, STORE_CODE)
}

/// Whether `value` has one to `max` bytes, each of `class`.
fn has_only(value: &str, max: usize, class: u8) -> bool {
    !value.is_empty() && value.len() <= max && value.bytes().all(|b| is(b, class))
}

/// The integration of one Amazon store with Commerce.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreIntegration {
    /// The host's store code.
    pub store: String,
    /// Display name used in the system message.
    pub name: String,
    pub marketplace_id: String,
    /// Orders purchased before this instant are never imported.
    pub integrated_at: DateTime<Utc>,
}

impl StoreIntegration {
    pub fn marketplace(&self) -> Option<&'static Marketplace> {
        Marketplace::by_id(&self.marketplace_id)
    }
}

/// Credentials and endpoints of the SP-API client. `Debug` never shows the secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiConfig {
    pub spapi_endpoint: String,
    pub lwa_endpoint: String,
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
}

impl fmt::Debug for ApiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiConfig")
            .field("spapi_endpoint", &self.spapi_endpoint)
            .field("lwa_endpoint", &self.lwa_endpoint)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("refresh_token", &"***")
            .finish()
    }
}

pub const DEFAULT_LWA_ENDPOINT: &str = "https://api.amazon.com/auth/o2/token";

/// Everything the settings interface holds for one store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreConfig {
    pub integration: StoreIntegration,
    pub orders: OrderSettings,
    /// `None` when no credentials are configured: the push path still works.
    pub api: Option<ApiConfig>,
}

impl StoreConfig {
    /// Reads the flat key/value settings of `store` (keys in `wit/STORAGE.md`).
    pub fn from_pairs(store: &str, pairs: &[(String, String)]) -> Result<Self, Vec<FieldError>> {
        let config = Self::read(store, pairs, true);
        if is_store_code(store) {
            return config;
        }
        let mut errors = config.err().unwrap_or_default();
        errors.insert(
            0,
            field_error(
                "store",
                "Store codes use letters, digits, '.', '_' and '-' only.",
            ),
        );
        Err(errors)
    }

    /// [`Self::from_pairs`] of a store code the caller checked (the engine refuses any other
    /// before it asks for the settings), or for a call that does not talk to Amazon (a push, a
    /// Commerce event) without `with_api`: the SP-API settings are then checked as ever, but
    /// not copied (`api` is `None`).
    pub(crate) fn read(
        store: &str,
        pairs: &[(String, String)],
        with_api: bool,
    ) -> Result<Self, Vec<FieldError>> {
        // The last value of each key counts; a blank one is unset.
        // SAFETY: all-zero bytes are `None` for an `Option` of a reference (its null niche). A
        // fill rather than `[None; N]`, which the size-optimised build clears slot by slot.
        let mut values: [Option<&str>; SETTING_COUNT] = unsafe { core::mem::zeroed() };
        for (key, value) in pairs {
            if let Some(index) = SETTINGS.index(key.as_bytes()) {
                values[index] = Some(trimmed(value)).filter(|v| !v.is_empty());
            }
        }
        let get = |setting: Setting| values[setting as usize];
        let mut errors = Vec::new();
        let flag =
            |setting: Setting, default: bool, errors: &mut Vec<FieldError>| match get(setting) {
                None => default,
                Some("true" | "1" | "yes" | "enabled") => true,
                Some("false" | "0" | "no" | "disabled") => false,
                Some(other) => {
                    errors.push(field_error(
                        setting.key(),
                        format!("\"{other}\" is not true or false"),
                    ));
                    default
                }
            };
        let defaults = OrderSettings::default();
        let orders = OrderSettings {
            import_orders: flag(Setting::ImportOrders, defaults.import_orders, &mut errors),
            reserve_pending: flag(
                Setting::ReservePending,
                defaults.reserve_pending,
                &mut errors,
            ),
            store_view: get(Setting::StoreView).map_or(defaults.store_view, str::to_owned),
            processing_status: get(Setting::ProcessingStatus)
                .map_or(defaults.processing_status, str::to_owned),
            customer_creation: match get(Setting::CustomerCreation) {
                None | Some("guest") => CustomerCreation::Guest,
                Some("account" | "create_account") => CustomerCreation::Account,
                Some(other) => {
                    errors.push(field_error(
                        Setting::CustomerCreation.key(),
                        format!("\"{other}\" is not guest or account"),
                    ));
                    CustomerCreation::Guest
                }
            },
            order_number_source: match get(Setting::OrderNumberSource) {
                None | Some("commerce" | "magento") => OrderNumberSource::Commerce,
                Some("amazon") => OrderNumberSource::Amazon,
                Some(other) => {
                    errors.push(field_error(
                        Setting::OrderNumberSource.key(),
                        format!("\"{other}\" is not commerce or amazon"),
                    ));
                    OrderNumberSource::Commerce
                }
            },
        };
        // The defaults are valid: only values given are checked (−375 fuel a hook call).
        if get(Setting::StoreView).is_some() || get(Setting::ProcessingStatus).is_some() {
            errors.extend(orders.validate());
        }

        let marketplace_id = get(Setting::MarketplaceId).unwrap_or_default().to_owned();
        let marketplace = Marketplace::by_id(&marketplace_id);
        if marketplace_id.is_empty() {
            errors.push(field_error(Setting::MarketplaceId.key(), "is required"));
        }
        let integrated_at = match get(Setting::IntegratedAt).map(parse_time) {
            Some(Ok(t)) => Some(t),
            Some(Err(e)) => {
                errors.push(field_error(Setting::IntegratedAt.key(), e));
                None
            }
            None => {
                errors.push(field_error(Setting::IntegratedAt.key(), "is required"));
                None
            }
        };

        let api = match (
            get(Setting::LwaClientId),
            get(Setting::LwaClientSecret),
            get(Setting::LwaRefreshToken),
        ) {
            (Some(id), Some(secret), Some(token)) => {
                let spapi_endpoint = get(Setting::SpapiEndpoint)
                    .or_else(|| marketplace.map(|m| m.region.endpoint()));
                match spapi_endpoint {
                    Some(_) if !with_api => None,
                    Some(endpoint) => Some(ApiConfig {
                        spapi_endpoint: without_trailing_slashes(endpoint).to_owned(),
                        lwa_endpoint: get(Setting::LwaEndpoint)
                            .unwrap_or(DEFAULT_LWA_ENDPOINT)
                            .to_owned(),
                        client_id: id.to_owned(),
                        client_secret: secret.to_owned(),
                        refresh_token: token.to_owned(),
                    }),
                    None => {
                        errors.push(field_error(
                            Setting::SpapiEndpoint.key(),
                            "is required for a marketplace this plugin does not know",
                        ));
                        None
                    }
                }
            }
            _ => None,
        };

        match (errors.is_empty(), integrated_at) {
            (true, Some(integrated_at)) => Ok(StoreConfig {
                integration: StoreIntegration {
                    store: store.to_owned(),
                    name: get(Setting::StoreName).unwrap_or(store).to_owned(),
                    marketplace_id,
                    integrated_at,
                },
                orders,
                api,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn codes_and_store_codes_take_the_bytes_they_name() {
        use crate::text::UNRESERVED;
        for b in 0..=255u8 {
            let code = b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
            assert_eq!(is(b, CODE), code, "{b}");
            assert_eq!(is(b, STORE_CODE), code || b == b'.', "{b}");
            assert_eq!(is(b, UNRESERVED), code || b == b'.' || b == b'~', "{b}");
        }
        assert!(is_store_code("de.store_2-b") && !is_code("de.store_2-b", 64));
        assert!(is_code("processing_2-b", 32) && !is_code("processing_2-b", 13));
        for bad in ["", "a/b", "a b", "é", "a\u{0}"] {
            assert!(!is_store_code(bad) && !is_code(bad, 64), "{bad:?}");
        }
        assert!(is_store_code(&"s".repeat(64)) && !is_store_code(&"s".repeat(65)));
    }

    #[test]
    fn order_settings_default_to_asc_defaults() {
        let s = OrderSettings::default();
        assert!(s.import_orders, "Import Amazon Orders defaults to Enabled");
        assert_eq!(s.customer_creation, CustomerCreation::Guest);
        assert_eq!(s.order_number_source, OrderNumberSource::Commerce);
        assert!(
            !s.reserve_pending,
            "Pending Orders defaults to Do Not Reserve"
        );
        assert_eq!(s.processing_status, "processing");
        assert!(s.validate().is_empty());
    }

    #[test]
    fn missing_settings_keys_take_defaults() {
        let parsed: OrderSettings = serde_json::from_str(r#"{"import_orders":false}"#).unwrap();
        assert_eq!(
            parsed,
            OrderSettings {
                import_orders: false,
                ..OrderSettings::default()
            }
        );
    }

    #[test]
    fn invalid_settings_are_reported_per_field() {
        let s = OrderSettings {
            store_view: String::new(),
            processing_status: "shipped now!".into(),
            ..OrderSettings::default()
        };
        let fields: Vec<_> = s.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["store_view", "processing_status"]);
    }

    #[test]
    fn store_config_reads_flat_settings_and_hides_secrets() {
        let config = StoreConfig::from_pairs(
            "acme-us",
            &pairs(&[
                ("marketplace_id", "ATVPDKIKX0DER"),
                ("integrated_at", "2026-01-01T00:00:00Z"),
                ("order_number_source", "amazon"),
                ("lwa_client_id", "amzn1.app"),
                ("lwa_client_secret", "s3cr3t-client"),
                ("lwa_refresh_token", "Atzr|s3cr3t-refresh"),
            ]),
        )
        .unwrap();
        assert_eq!(config.orders.order_number_source, OrderNumberSource::Amazon);
        let api = config.api.unwrap();
        assert_eq!(
            api.spapi_endpoint,
            "https://sellingpartnerapi-na.amazon.com"
        );
        let shown = format!("{api:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }

    #[test]
    fn a_push_reads_the_settings_without_the_credentials_but_checks_them() {
        let base = [
            ("marketplace_id", "ATVPDKIKX0DER"),
            ("integrated_at", "2026-01-01T00:00:00Z"),
            ("lwa_client_id", "amzn1.app"),
            ("lwa_client_secret", "s3cr3t-client"),
            ("lwa_refresh_token", "Atzr|s3cr3t-refresh"),
        ];
        let full = StoreConfig::from_pairs("acme-us", &pairs(&base)).unwrap();
        let push = StoreConfig::read("acme-us", &pairs(&base), false).unwrap();
        assert!(full.api.is_some() && push.api.is_none());
        assert_eq!(StoreConfig { api: None, ..full }, push);
        // A marketplace the plugin does not know needs an endpoint, for a push too.
        let unknown = [
            ("marketplace_id", "A1UNKNOWN"),
            base[1],
            base[2],
            base[3],
            base[4],
        ];
        let errors = |config: Result<StoreConfig, Vec<FieldError>>| {
            config
                .unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            errors(StoreConfig::read("acme-us", &pairs(&unknown), false)),
            errors(StoreConfig::from_pairs("acme-us", &pairs(&unknown)))
        );
        assert_eq!(
            errors(StoreConfig::read("acme-us", &pairs(&unknown), false)),
            ["spapi_endpoint"]
        );
    }

    #[test]
    fn a_later_setting_overrides_an_earlier_one_and_unknown_keys_are_ignored() {
        let config = StoreConfig::from_pairs(
            "acme-us",
            &pairs(&[
                ("marketplace_id", "ATVPDKIKX0DER"),
                ("store_name", "First"),
                ("integrated_at", "2026-01-01T00:00:00Z"),
                ("import_orders", "false"),
                ("colour", "blue"),
                ("store_name", " Acme US "),
                ("import_orders", ""),
            ]),
        )
        .unwrap();
        assert_eq!(config.integration.name, "Acme US");
        assert!(
            config.orders.import_orders,
            "an empty later value means the default"
        );
    }

    #[test]
    fn trailing_slashes_are_trimmed_as_trim_end_matches_trims_them() {
        for text in [
            "",
            "/",
            "///",
            "https://a",
            "https://a/",
            "https://a//",
            "/x/",
            "é/",
        ] {
            assert_eq!(without_trailing_slashes(text), text.trim_end_matches('/'));
        }
    }

    #[test]
    fn every_flat_key_sets_its_own_field() {
        let config = StoreConfig::from_pairs(
            "acme-us",
            &pairs(&[
                ("store_name", "Acme US"),
                ("lwa_endpoint", "https://lwa.example/o2/token/"),
                ("spapi_endpoint", "https://spapi.example/"),
                ("lwa_refresh_token", "refresh"),
                ("lwa_client_secret", "secret"),
                ("lwa_client_id", "client"),
                ("integrated_at", "2026-01-01T00:00:00Z"),
                ("marketplace_id", "A1PA6795UKMFR9"),
                ("order_number_source", "amazon"),
                ("customer_creation", "account"),
                ("processing_status", "amazon_new"),
                ("store_view", "de"),
                ("reserve_pending", "true"),
                ("import_orders", "false"),
            ]),
        )
        .unwrap();
        assert_eq!(
            config.orders,
            OrderSettings {
                import_orders: false,
                reserve_pending: true,
                store_view: "de".into(),
                processing_status: "amazon_new".into(),
                customer_creation: CustomerCreation::Account,
                order_number_source: OrderNumberSource::Amazon,
            }
        );
        let i = &config.integration;
        assert_eq!(
            (i.name.as_str(), i.marketplace_id.as_str()),
            ("Acme US", "A1PA6795UKMFR9")
        );
        assert_eq!(i.integrated_at.timestamp(), 1_767_225_600);
        let api = config.api.unwrap();
        assert_eq!(
            (
                api.spapi_endpoint.as_str(),
                api.lwa_endpoint.as_str(),
                api.client_id.as_str(),
                api.client_secret.as_str(),
                api.refresh_token.as_str()
            ),
            (
                "https://spapi.example",
                "https://lwa.example/o2/token/",
                "client",
                "secret",
                "refresh"
            )
        );
    }

    #[test]
    fn order_settings_round_trip_through_flat_pairs() {
        let settings = OrderSettings {
            import_orders: false,
            customer_creation: CustomerCreation::Account,
            order_number_source: OrderNumberSource::Amazon,
            reserve_pending: true,
            processing_status: "amazon_new".into(),
            ..OrderSettings::default()
        };
        let mut pairs = settings.to_pairs();
        pairs.push(("marketplace_id".into(), "ATVPDKIKX0DER".into()));
        pairs.push(("integrated_at".into(), "2026-01-01T00:00:00Z".into()));
        assert_eq!(
            StoreConfig::from_pairs("s", &pairs).unwrap().orders,
            settings
        );
    }

    /// The settings a store cannot do without.
    const REQUIRED: [(&str, &str); 2] = [
        ("marketplace_id", "ATVPDKIKX0DER"),
        ("integrated_at", "2026-01-01T00:00:00Z"),
    ];

    #[test]
    fn a_store_view_or_status_given_alone_is_checked_as_the_defaults_need_not_be() {
        let fields = |extra: (&str, &str)| {
            let mut list = REQUIRED.to_vec();
            list.push(extra);
            StoreConfig::from_pairs("acme-us", &pairs(&list))
                .err()
                .map(|errors| errors.into_iter().map(|e| e.field).collect::<Vec<_>>())
        };
        assert_eq!(
            fields(("store_view", "a b")),
            Some(vec!["store_view".into()])
        );
        assert_eq!(
            fields(("processing_status", "shipped now!")),
            Some(vec!["processing_status".into()])
        );
        assert_eq!(fields(("store_view", "de")), None);
        assert!(StoreConfig::from_pairs("acme-us", &pairs(&REQUIRED)).is_ok());
    }

    #[test]
    fn a_store_code_that_is_not_one_is_reported_first() {
        let fields = |store: &str, list: &[(&str, &str)]| {
            StoreConfig::from_pairs(store, &pairs(list))
                .unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect::<Vec<_>>()
        };
        assert_eq!(fields("a/b", &REQUIRED), ["store"]);
        assert_eq!(
            fields("", &[("import_orders", "maybe")]),
            ["store", "import_orders", "marketplace_id", "integrated_at"]
        );
    }

    #[test]
    fn store_config_lists_every_invalid_key() {
        let errors = StoreConfig::from_pairs(
            "acme-us",
            &pairs(&[("import_orders", "maybe"), ("customer_creation", "vip")]),
        )
        .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "import_orders",
                "customer_creation",
                "marketplace_id",
                "integrated_at"
            ]
        );
    }
}
