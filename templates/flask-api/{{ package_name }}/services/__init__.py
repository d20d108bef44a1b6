"""Business rules and queries, kept free of HTTP so they can be tested on their own."""
