"""Program: exercise library, prescription and pain-monitored progression."""
