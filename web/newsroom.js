/* newsroom.js: the editors pages (see docs/FRONTEND.md). */
