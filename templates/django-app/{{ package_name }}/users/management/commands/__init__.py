"""`python manage.py create_admin`."""
