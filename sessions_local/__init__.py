"""The local development server behind `sessions serve`: the route table's routes on a
local port, payload-2.0 events built as API Gateway builds them, an embedded DynamoDB
(moto) with its stream feeding the events function. Never deployed."""
