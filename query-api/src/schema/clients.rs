//! The clients screen: clients, their phones and e-mail, their cars and each car's odometer.
//!
//! Contacts are a field of their own permission (`client.read_contacts`): a mechanic sees who owns
//! the car, not how to call them.

use aggregates::permission::Permission as P;
use async_graphql::dataloader::DataLoader;
use async_graphql::{ComplexObject, Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::context::{Model, Scope};
use crate::error::{GqlResult, OrGql};
use crate::loaders::{by_id, grouped, load_error};
use crate::paging::{
    decode_cursor, decode_time_cursor, encode_cursor, page_size, time_cursor, Page, Paged,
};
use crate::schema::notifications::{ClientMessages, Notification};

/// A client of the shop: a person or a company.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Client {
    /// The id.
    #[graphql(name = "id")]
    pub client_id: Uuid,
    /// `person` or `company`.
    pub kind: String,
    /// Full name or registered name.
    pub display_name: String,
    /// INN (companies).
    pub inn: Option<String>,
    /// KPP (organisations).
    pub kpp: Option<String>,
    #[graphql(skip)]
    pub email: Option<String>,
    /// Personal discount, in hundredths of a percent.
    pub discount_bp: i32,
    /// In the archive.
    pub archived: bool,
    /// When registered.
    pub registered_at: DateTime<Utc>,
    #[graphql(skip)]
    pub messages_consent: bool,
    #[graphql(skip)]
    pub channel_sms: bool,
    #[graphql(skip)]
    pub channel_email: bool,
}

impl Paged for Client {
    const PAGE_NAME: &'static str = "ClientPage";
}

/// A client's phone, as its loader reads it.
#[derive(Clone)]
pub struct ClientPhone {
    pub client_id: Uuid,
    /// +7XXXXXXXXXX.
    pub phone: String,
}

#[ComplexObject]
impl Client {
    /// Scans and photos on the client (signed documents), newest first, with short links.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn attachments(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Vec<crate::schema::attachments::Attachment>> {
        crate::schema::attachments::attachments_of(ctx, "client", self.client_id).await
    }

    /// Phones; needs `client.read_contacts`.
    async fn phones(&self, ctx: &Context<'_>) -> GqlResult<Vec<String>> {
        Scope::of(ctx)
            .read(Some(P::ClientReadContacts), Model::Clients)
            .await
            .gql()?;
        let phones = ctx
            .data_unchecked::<DataLoader<PhonesLoader>>()
            .load_one(self.client_id)
            .await
            .map_err(load_error)?;
        Ok(phones
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.phone)
            .collect())
    }

    /// E-mail; needs `client.read_contacts`.
    async fn email(&self, ctx: &Context<'_>) -> GqlResult<Option<String>> {
        Scope::of(ctx).viewer.require(P::ClientReadContacts).gql()?;
        Ok(self.email.clone())
    }

    /// Whether the shop may write to the client: the consent to messages and the channels open.
    async fn messages(&self) -> ClientMessages {
        ClientMessages {
            consent: self.messages_consent,
            sms: self.channel_sms,
            email: self.channel_email,
        }
    }

    /// Messages to the client (SMS, e-mail), newest first, the latest 50; needs `client.read`.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn notifications(&self, ctx: &Context<'_>) -> GqlResult<Vec<Notification>> {
        crate::schema::notifications::of_client(ctx, self.client_id).await
    }

    /// The client's vehicles; needs `vehicle.read`.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn vehicles(&self, ctx: &Context<'_>) -> GqlResult<Vec<Vehicle>> {
        Scope::of(ctx)
            .read(Some(P::VehicleRead), Model::Vehicles)
            .await
            .gql()?;
        Ok(ctx
            .data_unchecked::<DataLoader<VehiclesByOwnerLoader>>()
            .load_one(self.client_id)
            .await
            .map_err(load_error)?
            .unwrap_or_default())
    }
}

/// A vehicle with its owner and odometer.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Vehicle {
    /// The id.
    #[graphql(name = "id")]
    pub vehicle_id: Uuid,
    #[graphql(skip)]
    pub owner_id: Uuid,
    /// VIN.
    pub vin: Option<String>,
    /// Plate, canonical Cyrillic.
    pub plate: Option<String>,
    /// Make.
    pub make: String,
    /// Model.
    pub model: String,
    /// Year.
    pub year: Option<i32>,
    /// The latest odometer reading, km.
    pub mileage_km: Option<i32>,
    /// When it was read.
    pub mileage_at: Option<DateTime<Utc>>,
    /// When registered.
    pub registered_at: DateTime<Utc>,
}

impl Paged for Vehicle {
    const PAGE_NAME: &'static str = "VehiclePage";
}

/// One odometer reading.
#[derive(SimpleObject, Clone)]
pub struct MileageReading {
    #[graphql(skip)]
    pub vehicle_id: Uuid,
    /// Kilometres.
    pub km: i32,
    /// `reading`, `intake` or `correction`.
    pub kind: String,
    /// The work order it was read for.
    pub work_order_id: Option<Uuid>,
    /// Why (corrections).
    pub reason: Option<String>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When.
    pub at: DateTime<Utc>,
}

#[ComplexObject]
impl Vehicle {
    /// Photos and scans on the car, newest first, with short links.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn attachments(
        &self,
        ctx: &Context<'_>,
    ) -> GqlResult<Vec<crate::schema::attachments::Attachment>> {
        crate::schema::attachments::attachments_of(ctx, "vehicle", self.vehicle_id).await
    }

    /// The owner; needs `client.read`.
    async fn owner(&self, ctx: &Context<'_>) -> GqlResult<Option<Client>> {
        load_client(ctx, self.owner_id).await
    }

    /// Every odometer reading, oldest first.
    #[graphql(complexity = "crate::paging::list_cost(child_complexity)")]
    async fn mileage_history(&self, ctx: &Context<'_>) -> GqlResult<Vec<MileageReading>> {
        Ok(ctx
            .data_unchecked::<DataLoader<MileageLoader>>()
            .load_one(self.vehicle_id)
            .await
            .map_err(load_error)?
            .unwrap_or_default())
    }
}

/// A client by id, for every field that shows one; needs `client.read`.
pub async fn load_client(ctx: &Context<'_>, id: Uuid) -> GqlResult<Option<Client>> {
    Scope::of(ctx)
        .read(Some(P::ClientRead), Model::Clients)
        .await
        .gql()?;
    ctx.data_unchecked::<DataLoader<ClientLoader>>()
        .load_one(id)
        .await
        .map_err(load_error)
}

/// A vehicle by id, for every field that shows one; needs `vehicle.read`.
pub async fn load_vehicle(ctx: &Context<'_>, id: Uuid) -> GqlResult<Option<Vehicle>> {
    Scope::of(ctx)
        .read(Some(P::VehicleRead), Model::Vehicles)
        .await
        .gql()?;
    ctx.data_unchecked::<DataLoader<VehicleLoader>>()
        .load_one(id)
        .await
        .map_err(load_error)
}

/// The clients screen's root fields.
#[derive(Default)]
pub struct ClientsQuery;

#[Object]
impl ClientsQuery {
    /// Clients by name, A to Z.
    #[graphql(complexity = "crate::paging::page_cost(first, child_complexity)")]
    async fn clients(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(default = false)] include_archived: bool,
    ) -> GqlResult<Page<Client>> {
        let scope = Scope::of(ctx);
        scope
            .read(Some(P::ClientRead), Model::Clients)
            .await
            .gql()?;
        let limit = page_size(first).gql()?;
        let (after_name, after_id) = match after.as_deref().map(decode_cursor).transpose().gql()? {
            Some((name, id)) => (Some(name), Some(id)),
            None => (None, None),
        };
        let rows = sqlx::query_as!(
            Client,
            r#"SELECT client_id, kind, display_name, inn, kpp, email, discount_bp, archived, registered_at,
                      messages_consent, channel_sms, channel_email
                 FROM read.clients
                WHERE ($1 OR NOT archived)
                  AND ($2::text IS NULL OR (lower(display_name), client_id) > ($2, $3))
                ORDER BY lower(display_name), client_id
                LIMIT $4"#,
            include_archived,
            after_name,
            after_id,
            limit as i64 + 1,
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        Ok(Page::from_rows(rows, limit, |c| {
            encode_cursor(&c.display_name.to_lowercase(), c.client_id)
        }))
    }

    /// One client.
    async fn client(&self, ctx: &Context<'_>, id: Uuid) -> GqlResult<Option<Client>> {
        load_client(ctx, id).await
    }

    /// Vehicles, newest first, optionally one owner's.
    #[graphql(complexity = "crate::paging::page_cost(first, child_complexity)")]
    async fn vehicles(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        owner_id: Option<Uuid>,
    ) -> GqlResult<Page<Vehicle>> {
        let scope = Scope::of(ctx);
        scope
            .read(Some(P::VehicleRead), Model::Vehicles)
            .await
            .gql()?;
        let limit = page_size(first).gql()?;
        let (after_at, after_id) = after
            .as_deref()
            .map(decode_time_cursor)
            .transpose()
            .gql()?
            .unzip();
        let rows = sqlx::query_as!(
            Vehicle,
            r#"SELECT vehicle_id, owner_id, vin, plate, make, model, year, mileage_km, mileage_at, registered_at
                 FROM read.vehicles
                WHERE ($1::uuid IS NULL OR owner_id = $1)
                  AND ($2::timestamptz IS NULL OR (registered_at, vehicle_id) < ($2, $3))
                ORDER BY registered_at DESC, vehicle_id DESC
                LIMIT $4"#,
            owner_id,
            after_at,
            after_id,
            limit as i64 + 1,
        )
        .fetch_all(scope.pool)
        .await
        .gql()?;
        Ok(Page::from_rows(rows, limit, |v| {
            time_cursor(v.registered_at, v.vehicle_id)
        }))
    }

    /// One vehicle.
    async fn vehicle(&self, ctx: &Context<'_>, id: Uuid) -> GqlResult<Option<Vehicle>> {
        load_vehicle(ctx, id).await
    }
}

by_id!(ClientLoader, Client, client_id, |pool, keys| {
    sqlx::query_as!(
        Client,
        r#"SELECT client_id, kind, display_name, inn, kpp, email, discount_bp, archived, registered_at,
                      messages_consent, channel_sms, channel_email
             FROM read.clients WHERE client_id = ANY($1)"#,
        keys
    )
    .fetch_all(pool)
});

by_id!(VehicleLoader, Vehicle, vehicle_id, |pool, keys| {
    sqlx::query_as!(
        Vehicle,
        r#"SELECT vehicle_id, owner_id, vin, plate, make, model, year, mileage_km, mileage_at, registered_at
             FROM read.vehicles WHERE vehicle_id = ANY($1)"#,
        keys
    )
    .fetch_all(pool)
});

grouped!(VehiclesByOwnerLoader, Vehicle, owner_id, |pool, keys| {
    sqlx::query_as!(
        Vehicle,
        r#"SELECT vehicle_id, owner_id, vin, plate, make, model, year, mileage_km, mileage_at, registered_at
             FROM read.vehicles WHERE owner_id = ANY($1) ORDER BY registered_at"#,
        keys
    )
    .fetch_all(pool)
});

grouped!(MileageLoader, MileageReading, vehicle_id, |pool, keys| {
    sqlx::query_as!(
        MileageReading,
        r#"SELECT vehicle_id, km, kind, work_order_id, reason, recorded_by, at
             FROM read.vehicle_mileage WHERE vehicle_id = ANY($1) ORDER BY at"#,
        keys
    )
    .fetch_all(pool)
});

grouped!(PhonesLoader, ClientPhone, client_id, |pool, keys| {
    sqlx::query_as!(
        ClientPhone,
        "SELECT client_id, phone FROM read.client_phones WHERE client_id = ANY($1) ORDER BY phone",
        keys
    )
    .fetch_all(pool)
});
