//! The signed-in employee: who they are and what they may do, for the app's menus and buttons.

use async_graphql::{Context, Object, SimpleObject};
use uuid::Uuid;

use crate::context::Scope;

/// The signed-in employee.
#[derive(SimpleObject)]
pub struct Me {
    /// The employee's id.
    pub employee_id: Uuid,
    /// Role codes.
    pub roles: Vec<String>,
    /// Permission codes.
    pub permissions: Vec<String>,
}

/// The app shell's root field.
#[derive(Default)]
pub struct MeQuery;

#[Object]
impl MeQuery {
    /// The signed-in employee and what they may do.
    async fn me(&self, ctx: &Context<'_>) -> Me {
        let viewer = Scope::of(ctx).viewer;
        Me {
            employee_id: viewer.0.employee_id,
            roles: viewer.0.roles.iter().cloned().collect(),
            permissions: viewer
                .0
                .permissions
                .iter()
                .map(|p| p.code().to_owned())
                .collect(),
        }
    }
}
