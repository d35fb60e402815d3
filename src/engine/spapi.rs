//! The SP-API client over the host's `http`: LWA token refresh (cached in storage), usage-plan
//! token buckets (kept in storage), getOrders, getOrderItems and confirmShipment.

use crate::prelude::*;
use crate::text::{concat, is, UNRESERVED};
use chrono::{DateTime, SecondsFormat, Utc};

use super::keys;
use crate::amazon::read::read_object;
use crate::amazon::write::{key, Writer};
use crate::amazon::{
    invalid, parse_api_errors, parse_get_order_items, read_json, ConfirmShipmentRequest,
    ParseError, Sent, SentItems,
};
use crate::amazon::{rfc3339_into, RFC3339_BYTES};
use crate::host::{Host, HttpError, HttpRequest, HttpResponse, Method, StorageError, StorageOp};
use crate::settings::ApiConfig;

/// The LWA token is refreshed this long before Amazon says it expires.
const TOKEN_MARGIN_MS: i64 = 60_000;
/// getOrders pages: Amazon's maximum, 100 orders, as the query asks for it.
const MAX_RESULTS_PER_PAGE: &str = "&MaxResultsPerPage=100";

/// An SP-API usage plan (Orders v0 defaults).
#[derive(Clone, Copy, Debug)]
pub struct UsagePlan {
    pub operation: &'static str,
    /// Refill rate in thousandths of a token per second (0.0167 rps = 16.7 → 17).
    pub milli_rate_per_second: i64,
    pub burst: i64,
}

pub const GET_ORDERS: UsagePlan = UsagePlan {
    operation: "get-orders",
    milli_rate_per_second: 17,
    burst: 20,
};
pub const GET_ORDER_ITEMS: UsagePlan = UsagePlan {
    operation: "get-order-items",
    milli_rate_per_second: 500,
    burst: 30,
};
pub const CONFIRM_SHIPMENT: UsagePlan = UsagePlan {
    operation: "confirm-shipment",
    milli_rate_per_second: 2000,
    burst: 10,
};

/// A time in which every plan's bucket fills from empty (a day; checked below).
const FILLED_WITHIN_MS: i64 = 86_400_000;
const _: () = {
    let plans = [GET_ORDERS, GET_ORDER_ITEMS, CONFIRM_SHIPMENT];
    let mut i = 0;
    while i < plans.len() {
        let plan = &plans[i];
        assert!(plan.burst * 1000 * 1000 <= plan.milli_rate_per_second * FILLED_WITHIN_MS);
        i += 1;
    }
};

/// Why an SP-API call did not give an answer to use.
#[derive(Debug, thiserror::Error)]
pub enum ApiFailure {
    /// Our bucket is empty or Amazon answered 429: wait for the next tick.
    #[error("throttled by the SP-API usage plan")]
    Throttled,
    /// 5xx or a network failure: retry on the next tick.
    #[error("Amazon is unavailable: {0}")]
    Unavailable(String),
    /// The LWA credentials or the access token were refused.
    #[error("Amazon refused the credentials: {0}")]
    Unauthorized(String),
    /// Amazon rejected the request (4xx) with its errors.
    #[error("Amazon rejected the request ({status}): {errors}")]
    Rejected { status: u16, errors: String },
    #[error(transparent)]
    Invalid(#[from] ParseError),
    #[error("the host refused the request: {0}")]
    NotAllowed(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

// The engine's records are read and written by hand (src/amazon/read.rs, write.rs), so the
// component links no serializer; the derives in tests check the JSON stays what serde wrote.
#[cfg_attr(test, derive(Debug, PartialEq, serde::Serialize, serde::Deserialize))]
struct CachedToken {
    access_token: String,
    expires_at: i64,
}

impl CachedToken {
    fn from_json(json: &str) -> Result<CachedToken, ParseError> {
        read_json("cached LWA token", json, |r| {
            let (mut access_token, mut expires_at) = (None, None);
            read_object!(r, "a cached token", |r| {
                "access_token" => access_token = Some(r.string()?),
                "expires_at" => expires_at = Some(r.i64()?),
            });
            Ok(CachedToken {
                access_token: r.required(access_token, "access_token")?,
                expires_at: r.required(expires_at, "expires_at")?,
            })
        })
    }

    fn to_json(&self) -> String {
        let mut w = Writer::with_capacity(64 + self.access_token.len());
        w.object(|w| {
            w.str_member(key!("access_token"), &self.access_token);
            w.key(key!("expires_at")).int(self.expires_at);
        });
        w.finish()
    }
}

/// Tokens are counted in thousandths so storage holds integers only.
#[cfg_attr(test, derive(Debug, PartialEq, serde::Serialize, serde::Deserialize))]
struct Bucket {
    milli_tokens: i64,
    at: i64,
}

impl Bucket {
    fn from_json(json: &str) -> Result<Bucket, ParseError> {
        read_json("usage plan bucket", json, |r| {
            let (mut milli_tokens, mut at) = (None, None);
            read_object!(r, "a usage plan bucket", |r| {
                "milli_tokens" => milli_tokens = Some(r.i64()?),
                "at" => at = Some(r.i64()?),
            });
            Ok(Bucket {
                milli_tokens: r.required(milli_tokens, "milli_tokens")?,
                at: r.required(at, "at")?,
            })
        })
    }

    fn to_json(&self) -> String {
        let mut w = Writer::with_capacity(48);
        w.object(|w| {
            w.key(key!("milli_tokens")).int(self.milli_tokens);
            w.key(key!("at")).int(self.at);
        });
        w.finish()
    }
}

/// LWA's answer to a refresh: the access token and its lifetime in seconds (error bodies
/// carry `error` instead).
struct LwaAnswer {
    access_token: Option<String>,
    expires_in: Option<i64>,
    error: Option<String>,
}

impl LwaAnswer {
    fn from_json(json: &str) -> Result<LwaAnswer, ParseError> {
        read_json("LWA token response", json, |r| {
            let mut answer = LwaAnswer {
                access_token: None,
                expires_in: None,
                error: None,
            };
            read_object!(r, "an LWA token response", |r| {
                "access_token" => answer.access_token = r.opt_string()?,
                "expires_in" => answer.expires_in = r.opt_i64()?,
                "error" => answer.error = r.opt_string()?,
            });
            Ok(answer)
        })
    }
}

/// What a tick keeps in memory between SP-API calls: the access token and the usage-plan
/// buckets, read from storage once and written back with the poll cursor ([`Session::flush`]).
/// Losing unflushed bucket counts to a crash only lets the next tick call a little early, which
/// Amazon answers with a 429 the engine already handles.
#[derive(Default)]
pub struct Session {
    token: Option<CachedToken>,
    token_read: bool,
    buckets: Vec<(&'static str, Bucket, bool)>,
}

impl Session {
    /// Storage writes for the buckets changed since the last flush.
    pub fn flush(&mut self, store: &str) -> Vec<StorageOp<'static>> {
        self.buckets
            .iter_mut()
            .filter(|(_, _, dirty)| *dirty)
            .map(|(operation, bucket, dirty)| {
                *dirty = false;
                StorageOp::Put(keys::bucket(store, operation), bucket.to_json())
            })
            .collect()
    }
}

/// One store's SP-API client for one tick.
pub struct SpApi<'a, H: Host> {
    pub host: &'a mut H,
    pub session: &'a mut Session,
    pub store: &'a str,
    pub api: &'a ApiConfig,
    pub marketplace_id: &'a str,
    pub now: DateTime<Utc>,
}

pub fn iso(t: DateTime<Utc>) -> String {
    rfc3339_into(&t, SecondsFormat::Secs, &mut [0; RFC3339_BYTES]).to_owned()
}

/// Appends `value` with `application/x-www-form-urlencoded` / query-string escaping. Room for
/// every byte escaped is made once, and each byte is then written in place: through
/// `String::push_str` a query's two times and marketplace cost ~2 000 fuel a tick.
pub fn form_encode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    // SAFETY: only ASCII is appended (unreserved bytes as they are, others as `%XX`).
    let out = unsafe { out.as_mut_vec() };
    out.reserve(value.len().saturating_mul(3));
    let mut at = out.len();
    let to = out.as_mut_ptr();
    for &b in value.as_bytes() {
        // SAFETY: at most three bytes a byte of `value`, for which room was made above.
        unsafe {
            if is(b, UNRESERVED) {
                to.add(at).write(b);
                at += 1;
            } else {
                to.add(at).write(b'%');
                to.add(at + 1).write(HEX[usize::from(b >> 4)]);
                to.add(at + 2).write(HEX[usize::from(b & 15)]);
                at += 3;
            }
        }
    }
    // SAFETY: the bytes up to `at` were written above, within the room made.
    unsafe { out.set_len(at) };
}

impl<H: Host> SpApi<'_, H> {
    fn now_ms(&self) -> i64 {
        self.now.timestamp_millis()
    }

    /// Takes one token of `plan`'s bucket, or says the call must wait.
    fn take(&mut self, plan: UsagePlan) -> Result<(), ApiFailure> {
        let now = self.now_ms();
        let index = match self
            .session
            .buckets
            .iter()
            .position(|(op, _, _)| *op == plan.operation)
        {
            Some(index) => index,
            None => {
                let stored = self
                    .host
                    .storage_get(&keys::bucket(self.store, plan.operation))?
                    .and_then(|v| Bucket::from_json(&v).ok());
                let bucket = stored.unwrap_or(Bucket {
                    milli_tokens: plan.burst * 1000,
                    at: now,
                });
                self.session.buckets.push((plan.operation, bucket, false));
                self.session.buckets.len() - 1
            }
        };
        let (_, bucket, dirty) = &mut self.session.buckets[index];
        // Capped where every bucket is full: the product stays in range without a saturating
        // multiplication (a 128-bit product in wasm). A stored count below zero (never
        // written by the plugin) counts as empty, so that a day refills any bucket.
        let elapsed_ms = now.saturating_sub(bucket.at).clamp(0, FILLED_WITHIN_MS);
        let milli_tokens = bucket
            .milli_tokens
            .max(0)
            .saturating_add(elapsed_ms * plan.milli_rate_per_second / 1000)
            .min(plan.burst * 1000);
        *bucket = Bucket {
            milli_tokens,
            at: now,
        };
        *dirty = true;
        if milli_tokens < 1000 {
            return Err(ApiFailure::Throttled);
        }
        bucket.milli_tokens -= 1000;
        Ok(())
    }

    /// Amazon said 429: the bucket is empty whatever we counted.
    fn drain(&mut self, plan: UsagePlan) {
        if let Some((_, bucket, dirty)) = self
            .session
            .buckets
            .iter_mut()
            .find(|(op, _, _)| *op == plan.operation)
        {
            bucket.milli_tokens = 0;
            *dirty = true;
        }
    }

    /// Makes sure the session holds an LWA access token that is not about to expire, refreshing
    /// the cached one when it is.
    fn refresh_access_token(&mut self) -> Result<(), ApiFailure> {
        // Each call comes here, nearly always with the token read: the key is built when used.
        if !self.session.token_read {
            self.session.token = self
                .host
                .storage_get(&keys::lwa(self.store))?
                .and_then(|v| CachedToken::from_json(&v).ok());
            self.session.token_read = true;
        }
        if let Some(token) = &self.session.token {
            if token.expires_at - TOKEN_MARGIN_MS > self.now_ms() {
                return Ok(());
            }
        }
        let mut body = String::with_capacity(512);
        body.push_str("grant_type=refresh_token&refresh_token=");
        form_encode_into(&mut body, &self.api.refresh_token);
        body.push_str("&client_id=");
        form_encode_into(&mut body, &self.api.client_id);
        body.push_str("&client_secret=");
        form_encode_into(&mut body, &self.api.client_secret);
        let response = send(
            self.host,
            HttpRequest {
                method: Method::Post,
                url: self.api.lwa_endpoint.clone(),
                headers: &[("content-type", "application/x-www-form-urlencoded")],
                body: Some(body),
            },
        )?;
        match response.status {
            200 => {}
            400 | 401 | 403 => {
                // The body names the OAuth error (e.g. invalid_grant) but never echo it whole:
                // an LWA error body may quote what was sent.
                let code = LwaAnswer::from_json(&response.body)
                    .ok()
                    .and_then(|answer| answer.error)
                    .unwrap_or_else(|| "refused".into());
                return Err(ApiFailure::Unauthorized(format!(
                    "LWA token refresh failed ({}: {code})",
                    response.status
                )));
            }
            429 => return Err(ApiFailure::Throttled),
            status => {
                return Err(ApiFailure::Unavailable(format!(
                    "LWA token endpoint answered {status}"
                )))
            }
        }
        let answer = LwaAnswer::from_json(&response.body)?;
        let missing = |field| invalid("LWA token response", field, "missing");
        let access_token = answer.access_token.ok_or_else(|| missing("access_token"))?;
        let expires_in = answer.expires_in.ok_or_else(|| missing("expires_in"))?;
        let expires_at = self.now_ms() + expires_in.clamp(0, 86_400) * 1000;
        let token = CachedToken {
            access_token,
            expires_at,
        };
        let value = token.to_json();
        self.host
            .storage_apply(vec![StorageOp::Put(keys::lwa(self.store), value)])?;
        self.session.token = Some(token);
        Ok(())
    }

    /// The URL of one order's `operation` (`/orderItems`, …): endpoint and path in one string.
    fn order_url(&self, amazon_order_id: &str, operation: &str) -> String {
        concat(&[
            &self.api.spapi_endpoint,
            "/orders/v0/orders/",
            amazon_order_id,
            operation,
        ])
    }

    /// One SP-API call to `url` (the endpoint, path and query) with the usage plan, the access
    /// token and the error mapping.
    fn call(
        &mut self,
        plan: UsagePlan,
        method: Method,
        url: String,
        body: Option<String>,
    ) -> Result<HttpResponse, ApiFailure> {
        self.refresh_access_token()?;
        self.take(plan)?;
        // There after a refresh; lent from the session, not copied into the request.
        let token = self
            .session
            .token
            .as_ref()
            .map_or("", |t| t.access_token.as_str());
        let headers = [
            ("x-amz-access-token", token),
            ("accept", "application/json"),
            ("content-type", "application/json"),
        ];
        // The content type only with a body.
        let sent = if body.is_some() { 3 } else { 2 };
        let response = send(
            self.host,
            HttpRequest {
                method,
                url,
                headers: &headers[..sent],
                body,
            },
        )?;
        match response.status {
            200..=299 => Ok(response),
            429 => {
                self.drain(plan);
                Err(ApiFailure::Throttled)
            }
            401 | 403 => {
                // A refused access token is dropped so the next call refreshes it.
                self.session.token = None;
                self.host
                    .storage_apply(vec![StorageOp::Delete(keys::lwa(self.store))])?;
                Err(ApiFailure::Unauthorized(describe(&response)))
            }
            400..=499 => Err(ApiFailure::Rejected {
                status: response.status,
                errors: describe(&response),
            }),
            status => Err(ApiFailure::Unavailable(format!(
                "{status}: {}",
                describe(&response)
            ))),
        }
    }

    /// The body of one getOrders page: the first of a window, or the one `next_token` points to
    /// (the poll reads it order by order, [`crate::amazon::read_get_orders_page`]).
    pub fn get_orders(
        &mut self,
        after: DateTime<Utc>,
        before: DateTime<Utc>,
        next_token: Option<&str>,
    ) -> Result<String, ApiFailure> {
        let mut query = String::with_capacity(224);
        query.push_str(&self.api.spapi_endpoint);
        query.push_str("/orders/v0/orders?MarketplaceIds=");
        form_encode_into(&mut query, self.marketplace_id);
        match next_token {
            Some(token) => {
                query.push_str("&NextToken=");
                form_encode_into(&mut query, token);
            }
            None => {
                let mut time = [0; RFC3339_BYTES];
                query.push_str("&LastUpdatedAfter=");
                form_encode_into(
                    &mut query,
                    rfc3339_into(&after, SecondsFormat::Secs, &mut time),
                );
                query.push_str("&LastUpdatedBefore=");
                form_encode_into(
                    &mut query,
                    rfc3339_into(&before, SecondsFormat::Secs, &mut time),
                );
                query.push_str(MAX_RESULTS_PER_PAGE);
            }
        }
        Ok(self.call(GET_ORDERS, Method::Get, query, None)?.body)
    }

    /// All items of an order, following `NextToken`. The first answer's text is kept in
    /// `first`, and its items borrow it: an order's items nearly always come in one answer;
    /// those of any further answer are copies.
    pub fn get_order_items<'b>(
        &mut self,
        amazon_order_id: &str,
        first: &'b mut Option<String>,
    ) -> Result<SentItems<'b>, ApiFailure> {
        let mut items = Sent::none();
        let mut first = Some(first);
        let mut next: Option<String> = None;
        loop {
            // The whole URL at once: the endpoint joined to a path built first was a second
            // string and copy per order.
            let mut url = self.order_url(amazon_order_id, "/orderItems");
            if let Some(token) = &next {
                url.push_str("?NextToken=");
                form_encode_into(&mut url, token);
            }
            let response = self.call(GET_ORDER_ITEMS, Method::Get, url, None)?;
            let token = match first.take() {
                Some(slot) => {
                    let page = parse_get_order_items(Option::insert(slot, response.body))?;
                    items = page.order_items;
                    page.next_token
                }
                None => {
                    let page = parse_get_order_items(&response.body)?;
                    items = items.followed_by(page.order_items);
                    page.next_token
                }
            };
            match token {
                Some(token) if Some(&token) != next.as_ref() => next = Some(token),
                _ => return Ok(items),
            }
        }
    }

    pub fn confirm_shipment(
        &mut self,
        amazon_order_id: &str,
        request: &ConfirmShipmentRequest,
    ) -> Result<(), ApiFailure> {
        let body = request.to_json();
        self.call(
            CONFIRM_SHIPMENT,
            Method::Post,
            self.order_url(amazon_order_id, "/shipmentConfirmation"),
            Some(body),
        )
        .map(|_| ())
    }
}

/// Sends `request`, a refusal or a transport failure as an [`ApiFailure`].
fn send<H: Host>(host: &mut H, request: HttpRequest<'_>) -> Result<HttpResponse, ApiFailure> {
    host.http_send(request).map_err(|e| match e {
        HttpError::NotAllowed(url) => ApiFailure::NotAllowed(url),
        other => ApiFailure::Unavailable(other.to_string()),
    })
}

/// A short description of an error response: Amazon's `errors`, else the status alone.
fn describe(response: &HttpResponse) -> String {
    parse_api_errors(&response.body)
        .filter(|e| !e.0.is_empty())
        .map(|e| e.to_string())
        .unwrap_or_else(|| format!("HTTP {}", response.status))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amazon::write::assert_same_as_serde;

    /// Whatever count a stored bucket holds, a bucket left alone for a day is full again: the
    /// refill's elapsed time is capped there, and a count below zero counts as empty. Within
    /// the day, the refill is the plan's rate.
    #[test]
    fn a_stored_bucket_refills_at_its_rate_and_is_full_after_a_day_whatever_it_held() {
        let plan = GET_ORDERS;
        let day = chrono::Duration::milliseconds(FILLED_WITHIN_MS);
        let taken_at = |stored: Bucket, now: DateTime<Utc>| {
            // The in-memory host's sandbox store, with its SP-API settings.
            let mut host = crate::memory::MemoryHost::new(now);
            host.add_store("s", "ATVPDKIKX0DER", "2026-01-01T00:00:00Z", &[]);
            let api = crate::settings::StoreConfig::from_pairs("s", &host.settings["s"])
                .ok()
                .and_then(|config| config.api)
                .expect("the sandbox store has SP-API settings");
            host.storage
                .insert(keys::bucket("s", plan.operation), stored.to_json());
            let mut session = Session::default();
            let mut client = SpApi {
                host: &mut host,
                session: &mut session,
                store: "s",
                api: &api,
                marketplace_id: "ATVPDKIKX0DER",
                now,
            };
            let taken = client.take(plan).is_ok();
            (taken, session.buckets[0].1.milli_tokens)
        };
        let at = DateTime::from_timestamp_millis(1_795_000_000_000).unwrap();
        let full = plan.burst * 1000;
        for held in [i64::MIN, -10_000_000_000, -1, 0, 999, full, i64::MAX] {
            let stored = Bucket {
                milli_tokens: held,
                at: at.timestamp_millis(),
            };
            assert_eq!(taken_at(stored, at + day), (true, full - 1000), "{held}");
        }
        // An empty bucket refills at the plan's rate, 17 thousandths of a token a second: not
        // a token after half a minute, one and 20 thousandths after a minute.
        let empty = || Bucket {
            milli_tokens: 0,
            at: at.timestamp_millis(),
        };
        let seconds = chrono::Duration::seconds;
        assert_eq!(taken_at(empty(), at + seconds(30)), (false, 30 * 17));
        assert_eq!(taken_at(empty(), at + seconds(60)), (true, 60 * 17 - 1000));
        // A time stored far from now, either way, neither overflows nor refills backwards.
        for stored_at in [i64::MIN, i64::MAX] {
            let odd = Bucket {
                milli_tokens: 2000,
                at: stored_at,
            };
            let (taken, _) = taken_at(odd, at);
            assert!(taken, "{stored_at}");
        }
    }

    #[test]
    fn cached_tokens_and_buckets_are_stored_as_serde_wrote_them() {
        let token = CachedToken {
            access_token: "Atza|IwEB\"quoted\"".into(),
            expires_at: 1_795_000_000_000,
        };
        assert_same_as_serde(&token, CachedToken::to_json, CachedToken::from_json);
        for (milli_tokens, at) in [(0, 0), (30_000, 1_795_000_000_000), (-1, i64::MIN)] {
            let bucket = Bucket { milli_tokens, at };
            assert_same_as_serde(&bucket, Bucket::to_json, Bucket::from_json);
        }
    }

    #[test]
    fn lwa_answers_are_read_with_their_extra_fields_ignored() {
        let answer = LwaAnswer::from_json(
            r#"{"access_token":"Atza|IwEB","refresh_token":"Atzr|x","token_type":"bearer","expires_in":3600}"#,
        )
        .unwrap();
        assert_eq!(answer.access_token.as_deref(), Some("Atza|IwEB"));
        assert_eq!(answer.expires_in, Some(3600));
        let refused = LwaAnswer::from_json(
            r#"{"error_description":"The request has an invalid grant parameter","error":"invalid_grant"}"#,
        )
        .unwrap();
        assert_eq!(refused.error.as_deref(), Some("invalid_grant"));
        assert!(LwaAnswer::from_json(r#"{"expires_in":"soon"}"#).is_err());
    }

    #[test]
    fn form_values_are_percent_encoded() {
        let encoded = |value: &str| {
            let mut out = "k=".to_owned();
            form_encode_into(&mut out, value);
            out
        };
        assert_eq!(encoded("Atzr|a b/c+="), "k=Atzr%7Ca%20b%2Fc%2B%3D");
        assert_eq!(
            encoded("2026-01-01T00:00:00Z"),
            "k=2026-01-01T00%3A00%3A00Z"
        );
        // Every byte of a character outside ASCII, at either end and between runs.
        assert_eq!(encoded("é-x€"), "k=%C3%A9-x%E2%82%AC");
        assert_eq!(encoded(""), "k=");
    }
}
