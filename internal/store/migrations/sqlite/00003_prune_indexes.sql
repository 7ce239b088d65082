-- +goose Up
-- Pruning asks whether an episode is still reported and whether an event is
-- still referenced by a delivery.
CREATE INDEX events_episode ON events (fingerprint, starts_at);
CREATE INDEX deliveries_event ON deliveries (event_id);
CREATE INDEX notifications_received ON notifications (received_at);
CREATE INDEX sent_messages_delivery ON sent_messages (delivery_id);

-- +goose Down
DROP INDEX sent_messages_delivery;
DROP INDEX notifications_received;
DROP INDEX deliveries_event;
DROP INDEX events_episode;
