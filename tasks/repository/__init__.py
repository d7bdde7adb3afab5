"""Reading a user's git repository: the safe git runner and the source reader."""
