//! Amazon marketplaces: country, currency, SP-API region and Seller Central address.

use crate::prelude::*;

/// SP-API regions and their endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Region {
    NorthAmerica,
    Europe,
    FarEast,
}

impl Region {
    pub fn endpoint(self) -> &'static str {
        match self {
            Region::NorthAmerica => "https://sellingpartnerapi-na.amazon.com",
            Region::Europe => "https://sellingpartnerapi-eu.amazon.com",
            Region::FarEast => "https://sellingpartnerapi-fe.amazon.com",
        }
    }
}

/// One Amazon marketplace.
#[derive(Debug, PartialEq, Eq)]
pub struct Marketplace {
    pub id: &'static str,
    pub country_code: &'static str,
    pub currency: &'static str,
    pub region: Region,
    pub seller_central: &'static str,
}

macro_rules! marketplaces {
    ($($id:literal, $country:literal, $currency:literal, $region:ident, $host:literal;)*) => {
        const MARKETPLACES: &[Marketplace] = &[$(Marketplace {
            id: $id,
            country_code: $country,
            currency: $currency,
            region: Region::$region,
            seller_central: $host,
        }),*];
    };
}

marketplaces! {
    "ATVPDKIKX0DER", "US", "USD", NorthAmerica, "sellercentral.amazon.com";
    "A2EUQ1WTGCTBG2", "CA", "CAD", NorthAmerica, "sellercentral.amazon.ca";
    "A1AM78C64UM0Y8", "MX", "MXN", NorthAmerica, "sellercentral.amazon.com.mx";
    "A2Q3Y263D00KWC", "BR", "BRL", NorthAmerica, "sellercentral.amazon.com.br";
    "A1F83G8C2ARO7P", "GB", "GBP", Europe, "sellercentral.amazon.co.uk";
    "A1PA6795UKMFR9", "DE", "EUR", Europe, "sellercentral.amazon.de";
    "A13V1IB3VIYZZH", "FR", "EUR", Europe, "sellercentral.amazon.fr";
    "APJ6JRA9NG5V4", "IT", "EUR", Europe, "sellercentral.amazon.it";
    "A1RKKUPIHCS9HS", "ES", "EUR", Europe, "sellercentral.amazon.es";
    "A1805IZSGTT6HS", "NL", "EUR", Europe, "sellercentral.amazon.nl";
    "A2NODRKZP88ZB9", "SE", "SEK", Europe, "sellercentral.amazon.se";
    "A1C3SOZRARQ6R3", "PL", "PLN", Europe, "sellercentral.amazon.pl";
    "A33AVAJ2PDY3EV", "TR", "TRY", Europe, "sellercentral.amazon.com.tr";
    "A21TJRUUN4KGV", "IN", "INR", Europe, "sellercentral.amazon.in";
    "A1VC38T7YXB528", "JP", "JPY", FarEast, "sellercentral.amazon.co.jp";
    "A39IBJ37TRP1C6", "AU", "AUD", FarEast, "sellercentral.amazon.com.au";
    "A19VAU5U5O7RUS", "SG", "SGD", FarEast, "sellercentral.amazon.sg";
}

/// Each marketplace's currency code followed by a `"`, as a little-endian word (see
/// [`Marketplace::known_quoted_currency`]).
const QUOTED_CODES: [u32; MARKETPLACES.len()] = {
    let mut codes = [0; MARKETPLACES.len()];
    let mut i = 0;
    while i < MARKETPLACES.len() {
        let code = MARKETPLACES[i].currency.as_bytes();
        assert!(code.len() == 3, "a currency code is three letters");
        codes[i] = u32::from_le_bytes([code[0], code[1], code[2], b'"']);
        i += 1;
    }
    codes
};

impl Marketplace {
    pub fn by_id(id: &str) -> Option<&'static Marketplace> {
        MARKETPLACES.iter().find(|m| m.id == id)
    }

    /// The marketplaces' spelling of an ISO 4217 code, when one of them uses it: amounts share
    /// it instead of allocating their own copy.
    pub fn known_currency(code: &str) -> Option<&'static str> {
        match code.as_bytes() {
            [a, b, c] => Self::known_quoted_currency(u32::from_le_bytes([*a, *b, *c, b'"'])),
            _ => None,
        }
    }

    /// [`Self::known_currency`] of a code as JSON text holds it, the three letters and the
    /// closing quote as one little-endian word: what the reader loads from an amount.
    #[inline]
    pub(crate) fn known_quoted_currency(word: u32) -> Option<&'static str> {
        let index = QUOTED_CODES.iter().position(|c| *c == word)?;
        MARKETPLACES.get(index).map(|m| m.currency)
    }

    /// The order's page in Seller Central.
    pub fn order_url(&self, amazon_order_id: &str) -> String {
        format!(
            "https://{}/orders-v3/order/{amazon_order_id}",
            self.seller_central
        )
    }
}

/// Seller Central link of an order; the US site when the marketplace is unknown.
pub fn seller_central_url(marketplace_id: &str, amazon_order_id: &str) -> String {
    Marketplace::by_id(marketplace_id)
        .unwrap_or(&MARKETPLACES[0])
        .order_url(amazon_order_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_currencies_are_the_marketplaces_own_and_no_other() {
        for m in MARKETPLACES {
            let code = m.currency.to_owned();
            assert_eq!(Marketplace::known_currency(&code), Some(m.currency));
        }
        for other in ["", "US", "usd", "USDX", "XYZ", "EUR ", "US\""] {
            assert_eq!(Marketplace::known_currency(other), None, "{other:?}");
        }
        // As the reader loads them: the code and the quote after it.
        let word = |text: &[u8; 4]| u32::from_le_bytes(*text);
        assert_eq!(
            Marketplace::known_quoted_currency(word(b"GBP\"")),
            Some("GBP")
        );
        for other in [b"GBP ", b"GBPX", b"GB\"\"", b"\"GBP"] {
            assert_eq!(Marketplace::known_quoted_currency(word(other)), None);
        }
    }

    #[test]
    fn view_only_rows_link_to_their_marketplaces_seller_central() {
        assert_eq!(
            seller_central_url("A1PA6795UKMFR9", "921-3175655-0452641"),
            "https://sellercentral.amazon.de/orders-v3/order/921-3175655-0452641"
        );
        assert_eq!(
            seller_central_url("ATVPDKIKX0DER", "902-1845936-5435065"),
            "https://sellercentral.amazon.com/orders-v3/order/902-1845936-5435065"
        );
    }
}
