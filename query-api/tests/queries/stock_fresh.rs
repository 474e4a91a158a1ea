//! Read your writes on the store's screens: a command's position sent back as `X-Min-Position`
//! makes the stock fields wait for the stock and margin projectors, so the part just registered,
//! the goods just received and the line just reserved are what the next read shows; and the markup
//! matrix just set is what the settings show.

use serde_json::json;
use uuid::Uuid;

use crate::{open_shop, OWNER_EMAIL};

#[tokio::test]
async fn the_stock_a_command_moved_is_what_the_next_read_shows() {
    let shop = open_shop("q_stock_fresh").await;
    let owner = shop.token(OWNER_EMAIL).await;
    for round in 0..5 {
        let part = Uuid::now_v7();
        let registered = shop
            .command(
                &owner,
                &format!("part/{part}/register"),
                json!({ "number": format!("RW-{round}"), "brand": "MANN", "name": "Фильтр салона",
                        "unit": "pcs", "category": "filters" }),
            )
            .await;
        let answer = shop
            .data(
                &owner,
                &format!(r#"{{ part(id: "{part}") {{ number name }} }}"#),
                &registered,
            )
            .await;
        assert_eq!(answer["part"]["name"], "Фильтр салона", "round {round}");

        let counted = shop
            .command(
                &owner,
                &format!("stock/{part}:main/count"),
                json!({ "count_id": Uuid::now_v7(), "counted_thousandths": 3000 + round * 1000,
                        "reason": "первая инвентаризация" }),
            )
            .await;
        let answer = shop
            .data(
                &owner,
                &format!(r#"{{ part(id: "{part}") {{ stock {{ onHand }} }} }}"#),
                &counted,
            )
            .await;
        assert_eq!(
            answer["part"]["stock"][0]["onHand"],
            json!(format!("{}.000", 3 + round)),
            "round {round}: {answer}"
        );
    }
}

#[tokio::test]
async fn the_markup_matrix_reads_as_typed_fields_of_the_settings() {
    let shop = open_shop("q_markup").await;
    let owner = shop.token(OWNER_EMAIL).await;
    let fields = "{ settings { markupDefault { from to markupBp } \
                  markupByCategory { category ranges { from to markupBp } } } }";
    // None chosen yet: no scale is assumed.
    let none = shop.query(Some(&owner), fields, None).await.body;
    assert_eq!(
        none["data"]["settings"]["markupDefault"],
        json!([]),
        "{none}"
    );
    assert_eq!(none["data"]["settings"]["markupByCategory"], json!([]));

    shop.command(
        &owner,
        "settings/main/set_markup_scale",
        json!({ "category": null, "ranges": [
            { "from_kopecks": 0, "to_kopecks": 100_000, "markup_bp": 6000 },
            { "from_kopecks": 100_000, "to_kopecks": null, "markup_bp": 2500 } ] }),
    )
    .await;
    let set = shop
        .command(
            &owner,
            "settings/main/set_markup_scale",
            json!({ "category": "filters", "ranges": [
                { "from_kopecks": 0, "to_kopecks": null, "markup_bp": 4000 } ] }),
        )
        .await;
    let answer = shop.data(&owner, fields, &set).await;
    assert_eq!(
        answer["settings"]["markupDefault"],
        json!([
            { "from": "0.00", "to": "1000.00", "markupBp": 6000 },
            { "from": "1000.00", "to": null, "markupBp": 2500 }
        ])
    );
    assert_eq!(
        answer["settings"]["markupByCategory"],
        json!([{ "category": "filters",
                 "ranges": [{ "from": "0.00", "to": null, "markupBp": 4000 }] }])
    );
}
