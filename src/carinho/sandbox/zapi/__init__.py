"""The Z-API simulator: Z-API's REST API, and a customer's phone that sends callbacks."""
