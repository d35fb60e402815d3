//! Budgets 1 and 3 of issue 6 as deterministic checks: wasmtime fuel (wasm operators executed)
//! of the release component over in-memory imports, so the figures are the same on every
//! machine and in every build profile. The figures are always printed
//! (`cargo test -p host-example --test fuel_budgets -- --nocapture`). Budget 3 (cost follows
//! changes, not table size) is met and asserted. Of budget 1, the pull path per order and the
//! 100-order page are met, and their budgets are their ceilings; the push's budget is asserted
//! once `ENFORCE` is switched on. Until then, ceilings a little above today's figures make a
//! regression fail; lower them as the figures fall.
//!
//! Needs the component `cargo xtask component` builds (optimised by binaryen, custom sections
//! dropped: the ceilings are its figures; a plain `cargo build --release` of the guest costs more).

#[path = "../benches/support/mod.rs"]
mod support;

/// Switch on once the optimisation work meets the budgets (issue 6).
const ENFORCE: bool = false;
/// Mean fuel of a 3-item order's push: 77 895 on 2026-11-29, 71 805 at 23:30, 66 041 on 2026-11-30,
/// 63 643 at 04:50, 60 791 at 06:40, 54 189 at 08:15, 49 924 at 10:40, 49 890 at 13:10, 48 884 at
/// 15:25, 46 410 at 18:40, 45 091 at 21:00, 44 979 at 23:50, 43 976 on 2026-12-01 at 00:45, 43 285
/// at 01:15 (budget 40 000).
const CEILING_PUSH_MEAN: u64 = 43_800;
/// Fuel of the pull path per imported order: 68 924 on 2026-11-29, 63 760 at 23:30, 58 575 on
/// 2026-11-30, 56 488 at 04:50, 53 960 at 06:40, 48 512 at 08:15, 44 752 at 10:40, 43 709 at 13:10,
/// 42 857 at 15:25, 39 715 at 18:40, 38 618 at 21:00, 37 752 on 2026-12-01, 37 574 at 01:15: within
/// the per-order budget, which is its ceiling.
const CEILING_PULL_PER_ORDER: u64 = 40_000;
/// Fuel of the ticks importing a 100-order page: 7 036 466 on 2026-11-29, 6 512 165 at 23:30,
/// 5 993 387 on 2026-11-30, 5 779 427 at 04:50, 5 523 432 at 06:40, 4 975 544 at 08:15, 4 597 669
/// at 10:40, 4 487 042 at 13:10, 4 399 120 at 15:25, 4 082 036 at 18:40, 3 967 127 at 21:00,
/// 3 966 679 at 23:50, 3 880 046 on 2026-12-01, 3 860 194 at 01:15: within the budget, which is its
/// ceiling.
const CEILING_100_ORDER_PAGE: u64 = 4_000_000;
/// Fuel of a push of the snapshot a row stores already: 65 038 on 2026-11-29, when the row's copy
/// stopped being read again (97 086 before; 68 712 without `memcmp`'s SIMD steps), 63 247 at that
/// session's end, 59 947 at 23:30, 54 231 on 2026-11-30, 52 416 at 04:35, 50 492 at 06:40, 48 416
/// at 08:15, 44 189 at 10:40, 44 188 at 13:10, 43 494 at 15:25, 43 624 at 18:40 (+149: the string
/// scan's padded last word costs this path more than it saves), 43 195 at 21:00, 43 083 at 23:50,
/// 42 080 on 2026-12-01, 41 567 at 01:15. Issue 6 sets no budget for it; guarded because Amazon's
/// notifications come at least once, so a repeated push is common.
const CEILING_PUSH_AGAIN: u64 = 42_100;
/// Fuel of a tick with nothing changed and 10 blocked orders stored: 123 438 on 2026-11-29, when a
/// blocked order whose retry key is current stopped being read again (760 624 before, 72 432 per
/// blocked order and tick), 118 766 at that session's end, 110 174 at 23:30, 104 073 on 2026-11-30
/// at 04:50, 96 183 at 06:40, 90 748 at 08:15, 88 945 at 10:40, 87 350 at 13:10, 85 614 at 15:25,
/// 81 188 at 18:40, 76 940 at 21:00, 76 828 at 23:50, 76 315 on 2026-12-01. Issue 6 sets no budget
/// for it; guarded because every tick retries the blocked orders.
const CEILING_TICK_10_BLOCKED: u64 = 76_800;

#[test]
fn fuel_per_order_per_tick_and_across_table_sizes_stays_within_budget() {
    let rig = support::Rig::new(true).expect("component loads");
    let figures = support::fuel_figures(&rig, &[1_000, 100_000]);
    println!("{figures}");
    let over = support::over_budget(&figures);
    for o in &over {
        println!("over budget: {o}");
    }
    for (name, ratio) in figures.scale_ratios() {
        assert!(
            ratio <= support::BUDGET_SCALE_RATIO,
            "{name} costs {ratio:.3}× as much at 100 000 stored orders as at 1 000"
        );
    }
    for (name, fuel, ceiling) in [
        ("push mean", figures.push_mean, CEILING_PUSH_MEAN),
        ("push again", figures.push_again, CEILING_PUSH_AGAIN),
        (
            "tick with 10 blocked orders",
            figures.tick_idle_blocked,
            CEILING_TICK_10_BLOCKED,
        ),
        (
            "pull per order",
            figures.pull_per_order(),
            CEILING_PULL_PER_ORDER,
        ),
        (
            "100-order page",
            figures.tick_100_sum(),
            CEILING_100_ORDER_PAGE,
        ),
    ] {
        assert!(
            fuel <= ceiling,
            "{name}: {fuel} fuel, over its ceiling of {ceiling}"
        );
    }
    // The initial memory (`.cargo/config.toml`) holds a push: growing costs the host
    // `mprotect` calls (BENCHMARKS.md, section 2).
    assert_eq!(
        figures.push_memory_grows, 0,
        "pushes grew memory, to {} bytes",
        figures.push_memory
    );
    if ENFORCE || std::env::var("FUEL_BUDGETS").is_ok_and(|v| v == "enforce") {
        assert!(over.is_empty(), "over budget: {over:#?}");
    }
}
