-- Temporal keeps workflow visibility (list/search) in a database of its own.
CREATE DATABASE temporal_visibility OWNER temporal;
