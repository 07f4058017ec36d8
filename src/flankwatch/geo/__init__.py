"""Geography: frames (WGS-84, ECEF, local ENU), geodesy, radar horizon, borders, airports."""
