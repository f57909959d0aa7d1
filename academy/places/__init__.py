"""Places every academy shares: postcode centroids and the areas (local authority, ward,
Westminster constituency) they are in, distances between them, and the postcode
districts shipped for the demo areas."""
