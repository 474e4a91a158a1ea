//! Reference data: the service catalogue, the shop's settings, directories, roles and the staff.
//!
//! Every employee may read the catalogue, settings and directories (the forms need them); roles and
//! the staff list need their own permissions, and so do an employee's login e-mail and phone.

use aggregates::permission::Permission as P;
use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use projections::read_models::cards::{MarkupRangeCard, SettingsCard, SettingsCardV2};
use uuid::Uuid;

use crate::context::{Model, Scope};
use crate::error::{GqlResult, OrGql, QueryError};
use crate::loaders::{by_id, load_error, read_card};
use crate::money::Rub;
use crate::schema::notifications::{
    channel_of, trigger_of, NotificationTemplateView, NotificationTriggerInfo, QuietHoursView,
};

/// An employee.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Employee {
    /// The id.
    #[graphql(name = "id")]
    pub employee_id: Uuid,
    /// Full name.
    pub full_name: String,
    /// Position.
    pub position: String,
    #[graphql(skip)]
    pub email: Option<String>,
    #[graphql(skip)]
    pub phone: Option<String>,
    /// Role codes.
    pub roles: Vec<String>,
    /// Allowed to work.
    pub active: bool,
    /// Hired.
    pub hired_at: DateTime<Utc>,
}

#[ComplexObject]
impl Employee {
    /// Login e-mail; needs `staff.read`.
    async fn email(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Scope::of(ctx).viewer.require(P::StaffRead).gql()?;
        Ok(self.email.clone())
    }

    /// Login phone; needs `staff.read`.
    async fn phone(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Scope::of(ctx).viewer.require(P::StaffRead).gql()?;
        Ok(self.phone.clone())
    }
}

/// An employee by id, for every field that shows one.
pub async fn load_employee(ctx: &Context<'_>, id: Uuid) -> GqlResult<Option<Employee>> {
    Scope::of(ctx)
        .read(None, Model::ReferenceData)
        .await
        .gql()?;
    ctx.data_unchecked::<DataLoader<EmployeeLoader>>()
        .load_one(id)
        .await
        .map_err(load_error)
}

/// An entry of the service catalogue.
#[derive(SimpleObject)]
pub struct CatalogueEntry {
    /// The id.
    #[graphql(name = "id")]
    pub service_id: Uuid,
    /// Name.
    pub name: String,
    /// Category code.
    pub category: String,
    /// Standard norm-hours, as a decimal.
    pub norm_hours: String,
    /// Offered.
    pub active: bool,
}

/// A category's own norm-hour rate.
#[derive(SimpleObject)]
pub struct CategoryRate {
    /// The category.
    pub category: String,
    /// The rate.
    pub rate: Rub,
}

/// One range of a parts markup scale: purchase prices from `from` up to `to` (none: and above)
/// are sold at the price plus `markup_bp`.
#[derive(SimpleObject)]
pub struct MarkupRange {
    /// The lowest purchase price of the range.
    pub from: Rub,
    /// The first purchase price above the range; none for the last, open-ended one.
    pub to: Option<Rub>,
    /// The markup, hundredths of a percent (3500 is 35 %).
    pub markup_bp: i32,
}

/// A parts category's own markup scale.
#[derive(SimpleObject)]
pub struct CategoryMarkup {
    /// The parts category (a code).
    pub category: String,
    /// Its ranges, cheapest first.
    pub ranges: Vec<MarkupRange>,
}

fn markup_ranges(card: &[MarkupRangeCard]) -> Vec<MarkupRange> {
    card.iter()
        .map(|r| MarkupRange {
            from: Rub(r.from),
            to: r.to.map(Rub),
            markup_bp: i32::try_from(r.markup).unwrap_or(i32::MAX),
        })
        .collect()
}

/// The shop's settings.
#[derive(SimpleObject)]
pub struct ShopSettings {
    /// The shop's name.
    pub shop_name: Option<String>,
    /// Registered name.
    pub legal_name: Option<String>,
    /// INN.
    pub inn: Option<String>,
    /// KPP.
    pub kpp: Option<String>,
    /// OGRN.
    pub ogrn: Option<String>,
    /// Legal address.
    pub address: Option<String>,
    /// The default norm-hour rate.
    pub default_rate: Option<Rub>,
    /// Rates by category.
    pub category_rates: Vec<CategoryRate>,
    /// VAT, hundredths of a percent.
    pub vat_rate_bp: Option<i32>,
    /// The parts markup scale for categories without their own; empty when none is set (a
    /// catalogue line without a price then needs one set by hand).
    pub markup_default: Vec<MarkupRange>,
    /// The parts categories' own markup scales, by category.
    pub markup_by_category: Vec<CategoryMarkup>,
    /// How long an approval link sent to a client works, hours (the owner's choice, else 72).
    pub approval_link_hours: u32,
    /// The guarantee terms and note the printed заказ-наряд and акт carry (empty until written).
    pub document_texts: DocumentTexts,
    /// The client messages' templates the owner wrote, by trigger then channel: a trigger is on
    /// for a channel exactly when it has one.
    pub notification_templates: Vec<NotificationTemplateView>,
    /// When no message goes out, if the owner chose.
    pub quiet_hours: Option<QuietHoursView>,
    /// Every trigger a template may be written for, with its placeholders.
    pub notification_triggers: Vec<NotificationTriggerInfo>,
    /// The full settings as stored (currency, number format, bank).
    pub document: async_graphql::Json<serde_json::Value>,
}

/// The shop's own texts on its printed documents.
#[derive(SimpleObject, Default)]
pub struct DocumentTexts {
    /// The guarantee terms (гарантийные обязательства).
    pub guarantee: String,
    /// The note at the documents' foot.
    pub notes: String,
}

/// An entry of a directory.
#[derive(SimpleObject, serde::Deserialize)]
pub struct DirectoryEntryView {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Offered.
    pub active: bool,
}

/// A directory (reference list).
#[derive(SimpleObject)]
pub struct DirectoryView {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Entries in the order added.
    pub entries: Vec<DirectoryEntryView>,
}

/// A role.
#[derive(SimpleObject)]
pub struct RoleView {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Permission codes.
    pub permissions: Vec<String>,
    /// In the archive: allows nothing and is not offered for hiring or assigning.
    pub archived: bool,
}

/// The shop whose settings the API shows.
pub struct ShopName(pub String);

/// The reference data's root fields.
#[derive(Default)]
pub struct ReferenceDataQuery;

/// One permission of the catalogue, as the roles editor lists it.
#[derive(SimpleObject)]
pub struct PermissionInfo {
    /// The stable code (`work_order.open`): what roles hold and tokens carry.
    pub code: String,
    /// Its area's code (`work_order`).
    pub area: String,
    /// The area in Russian («Заказ-наряды»).
    pub area_name: String,
    /// What it allows, in Russian.
    pub description: String,
}

#[Object]
impl ReferenceDataQuery {
    /// The service catalogue, by name.
    async fn catalogue(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = true)] active_only: bool,
    ) -> GqlResult<Vec<CatalogueEntry>> {
        let scope = Scope::of(ctx);
        scope.read(None, Model::ReferenceData).await.gql()?;
        sqlx::query_as!(
            CatalogueEntry,
            r#"SELECT service_id, name, category, norm_hours::text AS "norm_hours!", active
                 FROM read.catalogue_services WHERE active OR NOT $1 ORDER BY name"#,
            active_only
        )
        .fetch_all(scope.pool)
        .await
        .gql()
    }

    /// The shop's settings.
    async fn settings(&self, ctx: &Context<'_>) -> GqlResult<ShopSettings> {
        let scope = Scope::of(ctx);
        scope.read(None, Model::ReferenceData).await.gql()?;
        let shop = ctx.data_unchecked::<ShopName>();
        // The read model's own card, never the domain's state: `document` keeps its shape whatever
        // the domain does with its fold. No row yet: nothing set, shown as an empty document.
        let card = sqlx::query_scalar!("SELECT card FROM read.settings WHERE shop = $1", shop.0)
            .fetch_optional(scope.pool)
            .await
            .gql()?;
        let (settings, document) = match card {
            Some(card) => {
                let settings = read_card::<SettingsCard>(card, &shop.0)?;
                let document = serde_json::to_value(&settings).map_err(|e| {
                    tracing::error!(%e, "settings card does not encode");
                    async_graphql::Error::new("settings card does not encode")
                })?;
                (settings, document)
            }
            None => (SettingsCardV2::default(), serde_json::json!({})),
        };
        let requisites = settings.requisites.as_ref();
        Ok(ShopSettings {
            shop_name: settings.shop_name.clone(),
            legal_name: requisites.map(|r| r.legal_name.clone()),
            inn: requisites.map(|r| r.inn.clone()),
            kpp: requisites.and_then(|r| r.kpp.clone()),
            ogrn: requisites.map(|r| r.ogrn.clone()),
            address: requisites.map(|r| r.address.clone()),
            default_rate: settings.default_rate.map(Rub),
            category_rates: settings
                .category_rates
                .iter()
                .map(|(category, rate)| CategoryRate {
                    category: category.clone(),
                    rate: Rub(*rate),
                })
                .collect(),
            vat_rate_bp: settings.vat_rate.map(i32::from),
            markup_default: markup_ranges(settings.markup_default.as_deref().unwrap_or_default()),
            markup_by_category: settings
                .markup_by_category
                .iter()
                .map(|(category, scale)| CategoryMarkup {
                    category: category.clone(),
                    ranges: markup_ranges(scale),
                })
                .collect(),
            approval_link_hours: settings
                .approval_link_hours
                .unwrap_or(aggregates::settings::DEFAULT_APPROVAL_LINK_HOURS),
            document_texts: settings
                .document_texts
                .as_ref()
                .map(|texts| DocumentTexts {
                    guarantee: texts.guarantee.clone(),
                    notes: texts.notes.clone(),
                })
                .unwrap_or_default(),
            notification_templates: settings
                .notification_templates
                .iter()
                .map(|t| {
                    Ok(NotificationTemplateView {
                        trigger: trigger_of(&t.trigger)?.into(),
                        channel: channel_of(&t.channel)?.into(),
                        subject: t.subject.clone(),
                        body: t.body.clone(),
                    })
                })
                .collect::<Result<_, QueryError>>()
                .gql()?,
            quiet_hours: settings.quiet_hours.as_ref().map(|q| QuietHoursView {
                from: q.from.clone(),
                until: q.until.clone(),
            }),
            notification_triggers: crate::schema::notifications::triggers(),
            document: async_graphql::Json(document),
        })
    }

    /// Directories (reference lists), or one by code.
    async fn directories(
        &self,
        ctx: &Context<'_>,
        code: Option<String>,
    ) -> GqlResult<Vec<DirectoryView>> {
        let scope = Scope::of(ctx);
        scope.read(None, Model::ReferenceData).await.gql()?;
        let rows = sqlx::query!(
            "SELECT code, name, entries FROM read.directories WHERE $1::text IS NULL OR code = $1 ORDER BY code",
            code
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        Ok(rows
            .into_iter()
            .map(|row| DirectoryView {
                code: row.code,
                name: row.name,
                entries: serde_json::from_value(row.entries).unwrap_or_default(),
            })
            .collect())
    }

    /// Every permission of the one catalogue, in its order (grouped by area), with its words in
    /// Russian: the roles editor's rows. Not stored anywhere but in the domain.
    async fn permission_catalogue(&self, ctx: &Context<'_>) -> GqlResult<Vec<PermissionInfo>> {
        Scope::of(ctx).viewer.require(P::RoleRead).gql()?;
        Ok(P::ALL
            .iter()
            .map(|permission| PermissionInfo {
                code: permission.code().to_owned(),
                area: permission.area().to_owned(),
                area_name: aggregates::permission::area_name_ru(permission.area())
                    .unwrap_or(permission.area())
                    .to_owned(),
                description: permission.description_ru().to_owned(),
            })
            .collect())
    }

    /// Roles and their permissions (the roles editor).
    async fn roles(&self, ctx: &Context<'_>) -> GqlResult<Vec<RoleView>> {
        let scope = Scope::of(ctx);
        scope
            .read(Some(P::RoleRead), Model::ReferenceData)
            .await
            .gql()?;
        sqlx::query_as!(
            RoleView,
            "SELECT code, name, permissions, archived FROM read.roles ORDER BY code"
        )
        .fetch_all(scope.pool)
        .await
        .gql()
    }

    /// Employees by name.
    async fn employees(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] include_inactive: bool,
    ) -> GqlResult<Vec<Employee>> {
        let scope = Scope::of(ctx);
        scope
            .read(Some(P::StaffRead), Model::ReferenceData)
            .await
            .gql()?;
        sqlx::query_as!(
            Employee,
            r#"SELECT employee_id, full_name, position, email, phone, roles, active, hired_at
                 FROM read.employees WHERE active OR $1 ORDER BY full_name"#,
            include_inactive
        )
        .fetch_all(scope.pool)
        .await
        .gql()
    }
}

by_id!(EmployeeLoader, Employee, employee_id, |pool, keys| {
    sqlx::query_as!(
        Employee,
        r#"SELECT employee_id, full_name, position, email, phone, roles, active, hired_at
             FROM read.employees WHERE employee_id = ANY($1)"#,
        keys
    )
    .fetch_all(pool)
});
