"""Text cleaning, PII masking, segmentation and the department classifier."""
