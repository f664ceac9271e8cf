"""ag18-rules: reorganisation plans checked against programme 19-CTr/TU."""
