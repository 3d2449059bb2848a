"""Anonymous reads of posts, lists and day archives, answered straight from the driver."""
