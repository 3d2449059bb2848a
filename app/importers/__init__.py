"""Moving archives in: WordPress exports and saved day-archive pages, as posts and sources."""
