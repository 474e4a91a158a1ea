//! Read your writes on the store's screens: a command's position sent back as `X-Min-Position`
//! makes the stock fields wait for the stock and margin projectors, so the part just registered,
//! the goods just received and the line just reserved are what the next read shows.

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
