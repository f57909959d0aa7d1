"""Places every academy shares: postcode centroids, distances between them, and the
district centroids shipped for the demo areas."""
