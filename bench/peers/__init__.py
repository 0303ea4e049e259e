"""Side by side with what a user would install instead: express-session +
connect-dynamodb and Flask-Session's DynamoDB backend, on the same local DynamoDB
servers, through one counting proxy (`proxy.py`), driven by one workload (`run.py`)."""
