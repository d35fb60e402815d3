//! A filtered grid query reads every stored row (`Host::storage_scan`). The component's heap
//! frees nothing (`src/heap.rs`), so each page of rows the host hands over goes to a scratch
//! heap given back after the page: this checks, through the release component, that such a
//! query finds what the native engine finds and that its memory does not grow with the rows'
//! text (≈ 3.5 KiB a row read into the global heap, measured before the scratch heap).

#[path = "../benches/support/mod.rs"]
mod support;

use amazon_order_sync::grid::OrderQuery;
use support::{memory_host, populated_storage, Driver, Native, Rig, Wasm};

/// Memory a filtered query over 10 000 rows may reach: 36 MiB without the scratch heap,
/// 13 MiB with it, 5.1 MiB once the grid skipped the rows' items (2026-11-29; ≈ 0.25 KiB a
/// row was left: each page's list and the grid rows read), 8.2 MiB once an order read was
/// boxed, 3.9 MiB once a row left out gave back what reading it took (`crate::scoped`).
const MAX_MEMORY_10_000_ROWS: usize = 6 << 20;

#[test]
fn a_filtered_grid_query_over_10_000_rows_holds_one_page_of_their_text() {
    let rig = Rig::new(true).expect("component loads");
    let query = OrderQuery {
        buyer_name: Some("chen".into()),
        ..OrderQuery::default()
    };
    for rows in [1_000u64, 10_000] {
        let storage = populated_storage(rows);
        let mut native = Native::new(memory_host());
        native.host().storage = storage.clone();
        let expected = native.list_orders(&query);
        let mut host = memory_host();
        host.storage = storage;
        let mut component = Wasm::new(&rig, host);
        assert_eq!(component.list_orders(&query), expected);
        assert!(expected.1 > 0, "some rows match");
        let fuel = component.last_fuel().expect("component driver");
        println!(
            "filtered list-orders over {rows} rows: {} of {} rows, {} fuel, {} KiB",
            expected.0,
            expected.1,
            fuel.call,
            fuel.memory_bytes / 1024
        );
        if rows == 10_000 {
            assert!(fuel.memory_bytes <= MAX_MEMORY_10_000_ROWS);
        }
    }
}
