-- A role the shop stopped using is archived, never deleted (its history and former holders keep its
-- name). Every role recorded so far is in use, so the default needs no rebuild of the read model.
ALTER TABLE read.roles ADD COLUMN archived BOOLEAN NOT NULL DEFAULT false;
